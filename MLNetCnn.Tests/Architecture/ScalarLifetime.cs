using Mono.Cecil;

namespace MLNetCnn.Tests.Architecture;

/// <summary>
/// Finds code that leaves a TorchSharp <c>Scalar</c> to the finaliser while libtorch may still read it: an implicit
/// conversion from a number, a call to a TorchSharp method that makes one (directly or through the methods it calls), or a
/// TorchSharp optimizer or module whose <c>step</c> or <c>forward</c> does. Virtual calls are not followed further: those
/// two are the ones a training or scoring step reaches through a base type.
/// </summary>
internal static class ScalarLifetime
{
    private static readonly string[] SteppingMethods = ["step", "forward"];

    /// <summary>"Type::Method -> what it calls", one line per finding in the assembly at <paramref name="assemblyPath"/>.</summary>
    public static IReadOnlyList<string> Findings(string assemblyPath)
    {
        var resolver = new DefaultAssemblyResolver();
        resolver.AddSearchDirectory(Path.GetDirectoryName(assemblyPath));
        resolver.AddSearchDirectory(Path.GetDirectoryName(typeof(TorchSharp.Scalar).Assembly.Location));
        var parameters = new ReaderParameters { AssemblyResolver = resolver };
        using var torchSharp = AssemblyDefinition.ReadAssembly(typeof(TorchSharp.Scalar).Assembly.Location, parameters);
        var (leaking, leakingTypes) = LeakingMethods(torchSharp.MainModule);
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath, parameters);
        var findings = new List<string>();
        foreach (var method in assembly.MainModule.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody))
        {
            foreach (var instruction in method.Body.Instructions)
            {
                if (instruction.Operand is not MethodReference callee
                    || !callee.DeclaringType.Scope.Name.StartsWith("TorchSharp", StringComparison.Ordinal))
                    continue;
                bool creates = instruction.OpCode.Code == Mono.Cecil.Cil.Code.Newobj ? leakingTypes.Contains(callee.DeclaringType.FullName)
                    : leakingTypes.Contains(callee.ReturnType.FullName);
                if (IsImplicitConversion(callee) || leaking.Contains(Key(callee)) || creates)
                    findings.Add($"{method.DeclaringType.FullName}::{method.Name} -> {callee.DeclaringType.Name}::{callee.Name}");
            }
        }
        return findings.Distinct().ToList();
    }

    private static bool IsImplicitConversion(MethodReference method) =>
        method.Name == "op_Implicit" && method.ReturnType.FullName == "TorchSharp.Scalar";

    // TorchSharp's methods that make a scalar from a number and drop it, and those that call them; the types whose step or forward do.
    private static (HashSet<string> Methods, HashSet<string> Types) LeakingMethods(ModuleDefinition torchSharp)
    {
        var calls = new Dictionary<string, List<string>>();
        var leaking = new HashSet<string>();
        foreach (var method in torchSharp.GetTypes().SelectMany(t => t.Methods).Where(m => m.HasBody))
        {
            var callees = method.Body.Instructions.Select(i => i.Operand).OfType<MethodReference>().ToList();
            calls[method.FullName] = callees.Select(Key).ToList();
            if (callees.Any(IsImplicitConversion))
                leaking.Add(method.FullName);
        }
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (method, callees) in calls)
            {
                if (!leaking.Contains(method) && callees.Any(leaking.Contains))
                    grew = leaking.Add(method);
            }
        }
        var types = torchSharp.GetTypes()
            .Where(t => t.Methods.Any(m => SteppingMethods.Contains(m.Name) && m.IsVirtual && Leaks(m, leaking)))
            .Select(t => t.FullName).ToHashSet();
        return (leaking, types);
    }

    // A step written as a lambda (optimizers pass theirs to _step) leaks through the compiler's closure method.
    private static bool Leaks(MethodDefinition method, HashSet<string> leaking) =>
        leaking.Contains(method.FullName)
        || method.DeclaringType.Methods.Concat(method.DeclaringType.NestedTypes.SelectMany(n => n.Methods))
            .Any(m => m.Name.StartsWith($"<{method.Name}>", StringComparison.Ordinal) && leaking.Contains(m.FullName));

    private static string Key(MethodReference method)
    {
        try
        {
            return (method.Resolve() ?? method).FullName;
        }
        catch (AssemblyResolutionException)
        {
            return method.GetElementMethod().FullName;
        }
    }
}
