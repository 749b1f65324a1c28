namespace MLNetCnn.Benchmarks;

/// <summary>The benchmarks' entry point; see <see cref="BenchmarkCommandLine"/>.</summary>
internal static class Program
{
    public static int Main(string[] args) => BenchmarkCommandLine.Run(args, Console.Out);
}
