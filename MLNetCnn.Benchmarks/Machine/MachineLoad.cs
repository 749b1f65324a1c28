using System.Globalization;

namespace MLNetCnn.Benchmarks.Machine;

/// <summary>The load average (/proc/loadavg): runnable processes over 1, 5 and 15 minutes.</summary>
internal readonly record struct MachineLoad(double OneMinute, double FiveMinutes, double FifteenMinutes)
{
    public static MachineLoad Now()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return new MachineLoad(Parse(parts[0]), Parse(parts[1]), Parse(parts[2]));
        }
        catch (IOException)
        {
            return new MachineLoad(double.NaN, double.NaN, double.NaN);
        }
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{OneMinute:F2}, {FiveMinutes:F2}, {FifteenMinutes:F2}");

    private static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
