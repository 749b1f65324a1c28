using System.Reflection;

namespace MLNetCnn.Tests.Architecture;

[TestClass]
public sealed class ScalarLifetimeTests
{
    private static readonly string[] LibraryAssemblies = ["MLNetCnn", "MLNetCnn.Estimators", "MLNetCnn.Onnx", "MLNetCnn.Studies"];

    [TestCategory("Fast")]

    [TestMethod]
    public void NoLibraryCodeLeavesAScalarToTheFinaliserDuringANativeCall()
    {
        var findings = LibraryAssemblies.SelectMany(name => ScalarLifetime.Findings(Assembly.Load(new AssemblyName(name)).Location))
            .ToList();
        Assert.IsEmpty(findings, "Pass MLNetCnn.Runtime.Scalars' constants, or a ToScalar() disposed after the call:"
            + Environment.NewLine + string.Join(Environment.NewLine, findings));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ImplicitScalarsTorchSharpsLeakingCallsAndItsOptimizersAreFound()
    {
        const string source = """
            using TorchSharp;
            using static TorchSharp.torch;
            public static class Planted
            {
                private static readonly Scalar Two = 2.ToScalar();
                public static Tensor Held(Tensor a, Tensor b) => a.mul(Two).add(b, Two);
                public static Tensor Implicit(Tensor a) => a.mul(2.0);
                public static Tensor Operator(Tensor a, Tensor b) => a + b;
                public static Tensor Residual(Tensor a, Tensor b) => a.add_(b);
                public static object Optimizer(TorchSharp.Modules.Parameter p) => optim.Adam([p]);
            }
            """;
        var folder = TestFolders.Create();
        string path = TestAssemblies.Compile(source, folder, "Planted", typeof(TorchSharp.Scalar).Assembly.Location);

        var methods = ScalarLifetime.Findings(path).Select(f => f.Split(" -> ")[0]).Distinct().Order().ToList();

        CollectionAssert.AreEqual(new[] { "Planted::Implicit", "Planted::Operator", "Planted::Optimizer", "Planted::Residual" }, methods,
            string.Join(Environment.NewLine, ScalarLifetime.Findings(path)));
    }
}
