using System.Globalization;

namespace MLNetCnn.Benchmarks.Machine;

/// <summary>
/// The processor as Linux describes it (/proc/cpuinfo, what lscpu reads) and its theoretical FP32 peak:
/// cores x clock x SIMD lanes x 2 (a fused multiply-add is two operations) x FMA units per core.
/// </summary>
/// <remarks>
/// The flags give the lanes (avx512f: 16 floats, avx/avx2: 8, otherwise sse: 4) and whether there is FMA; the clock is
/// the "cpu MHz" the kernel reports (on a VM without cpufreq, the TSC's nominal frequency; turbo may run higher and
/// AVX-512 licence levels lower). The number of FMA units per core is not in the flags: Xeon Scalable processors with
/// AVX-512 (Skylake-SP Gold/Platinum and later, Sapphire and Emerald Rapids) have two 512-bit FMA units, client cores
/// with AVX2 two 256-bit ones; that assumption is stated next to the figure.
/// </remarks>
internal sealed record CpuInfo(string Model, int LogicalCpus, int Cores, double Megahertz, IReadOnlySet<string> Flags, string FamilyModelStepping)
{
    /// <summary>FMA units per core assumed for the peak.</summary>
    public const int FmaUnitsPerCore = 2;

    /// <summary>Reads /proc/cpuinfo; on other systems a description with what .NET knows.</summary>
    public static CpuInfo Read()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path))
            return new CpuInfo("unknown", Environment.ProcessorCount, Environment.ProcessorCount, double.NaN, new HashSet<string>(), "");
        var processors = File.ReadAllText(path).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(block => block.Split('\n').Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
                .GroupBy(p => p[0].Trim()).ToDictionary(g => g.Key, g => g.First()[1].Trim()))
            .Where(p => p.ContainsKey("processor"))
            .ToList();
        var first = processors[0];
        string Field(string name) => first.TryGetValue(name, out var v) ? v : "";
        int cores = processors.Select(p => (p.GetValueOrDefault("physical id", "0"), p.GetValueOrDefault("core id", p["processor"]))).Distinct().Count();
        double mhz = double.TryParse(Field("cpu MHz"), NumberStyles.Float, CultureInfo.InvariantCulture, out var m) ? m : double.NaN;
        return new CpuInfo(Field("model name"), processors.Count, cores, mhz, Field("flags").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(),
            $"family {Field("cpu family")} model {Field("model")} stepping {Field("stepping")}");
    }

    /// <summary>32-bit float lanes of the widest vector unit the flags announce.</summary>
    public int Fp32Lanes => Flags.Contains("avx512f") ? 16 : Flags.Contains("avx") ? 8 : 4;

    /// <summary>Floating-point operations per lane and instruction: 2 with fused multiply-add.</summary>
    public int OperationsPerLane => Flags.Contains("fma") || Flags.Contains("avx512f") ? 2 : 1;

    /// <summary>Theoretical FP32 GFLOP/s of <paramref name="cores"/> cores.</summary>
    public double PeakGigaflops(int cores) => cores * Megahertz / 1000 * Fp32Lanes * OperationsPerLane * FmaUnitsPerCore;

    /// <summary>How the peak was derived, for the report.</summary>
    public string PeakDerivation(int cores) =>
        $"{cores} cores x {Megahertz / 1000:F2} GHz x {Fp32Lanes} FP32 lanes ({(Fp32Lanes == 16 ? "avx512f" : Fp32Lanes == 8 ? "avx" : "sse")}) x " +
        $"{OperationsPerLane} ({(OperationsPerLane == 2 ? "fma" : "no fma")}) x {FmaUnitsPerCore} FMA units per core (assumed) = {PeakGigaflops(cores):F0} GFLOP/s";

    /// <summary>The SIMD flags that matter for convolutions, as lscpu would list them.</summary>
    public string SimdFlags => string.Join(" ", new[] { "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile" }.Where(Flags.Contains));
}
