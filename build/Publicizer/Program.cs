// Writes a copy of a .NET assembly in which the allowlisted internal types and members are public, for the
// compiler only: at run time the original assembly loads, and the consuming assembly's
// [IgnoresAccessChecksTo] lets the CLR accept the accesses. The allowlist is the record of every internal
// the consumer depends on; anything not on it stays inaccessible at compile time.
//
// Usage: Publicizer <input.dll> <output.dll> <entry;entry;...>
//   entry = Namespace.Type            the type (and the types enclosing it) becomes public
//         | Namespace.Type::Member    also every method, field or property named Member (".ctor" for constructors)
// Nested types are written Outer/Inner, as in Cecil's full names.
using Mono.Cecil;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Publicizer <input.dll> <output.dll> <Type[::Member];...>");
    return 2;
}

var (input, output) = (args[0], args[1]);
var entries = args[2].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
// An unchanged copy keeps its timestamp, so the consuming project does not recompile for nothing.
string stampPath = output + ".entries";
string stamp = $"{Path.GetFullPath(input)}|{File.GetLastWriteTimeUtc(input):O}|{string.Join(';', entries)}";
if (File.Exists(output) && File.Exists(stampPath) && File.ReadAllText(stampPath) == stamp)
    return 0;
var resolver = new DefaultAssemblyResolver();
resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(input))!);
using var assembly = AssemblyDefinition.ReadAssembly(input, new ReaderParameters { AssemblyResolver = resolver });
var types = assembly.MainModule.GetTypes().ToDictionary(t => t.FullName);
var missing = new List<string>();

foreach (var entry in entries)
{
    var parts = entry.Split("::", 2);
    if (!types.TryGetValue(parts[0], out var type))
    {
        missing.Add(entry);
        continue;
    }
    for (var t = type; t is not null; t = t.DeclaringType)
    {
        if (t.IsNested)
            t.IsNestedPublic = true;
        else
            t.IsPublic = true;
    }
    if (parts.Length == 1)
        continue;

    string member = parts[1];
    var methods = type.Methods.Where(m => m.Name == member)
        .Concat(type.Properties.Where(p => p.Name == member).SelectMany(p => new[] { p.GetMethod, p.SetMethod }))
        .Where(m => m is not null)
        .ToList();
    var fields = type.Fields.Where(f => f.Name == member).ToList();
    if (methods.Count == 0 && fields.Count == 0)
        missing.Add(entry);
    methods.ForEach(m => m!.IsPublic = true);
    fields.ForEach(f => f.IsPublic = true);
}

if (missing.Count > 0)
{
    Console.Error.WriteLine($"Publicizer: error: {Path.GetFileName(input)} has no {string.Join(", ", missing)}.");
    return 1;
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
assembly.Write(output);
File.WriteAllText(stampPath, stamp);
Console.WriteLine($"Publicizer: {Path.GetFileName(input)} -> {output} ({entries.Length} entries)");
return 0;
