using MLNetCnn.Runtime;

namespace MLNetCnn.Tests.Runtime;

[TestClass]
public sealed class PeriodicMemoryReleaseTests
{
    private const long MiB = 1 << 20;

    [TestCategory("Fast")]
    [TestMethod]
    public void StepsReleaseOnlyWhenTheResidentSetHasGrownAtACheck()
    {
        var now = TimeSpan.Zero;
        long resident = 500 * MiB;
        int calls = 0;
        var release = new PeriodicMemoryRelease(TimeSpan.FromSeconds(10), 0.03, () => now, () => resident, () => { calls++; return true; });

        void StepAt(double seconds, long residentMiB)
        {
            now = TimeSpan.FromSeconds(seconds);
            resident = residentMiB * MiB;
            release.AfterStep();
        }

        StepAt(10, 500);
        StepAt(20, 510);
        Assert.AreEqual(0, calls, "2 % above the lowest check is within the allowance");
        StepAt(25, 900);
        Assert.AreEqual(0, calls, "between checks the resident set is not read");
        StepAt(30, 480);
        StepAt(40, 500);
        Assert.AreEqual(1, calls, "4 % above the new lowest level (480 MiB)");
        StepAt(45, 600);
        Assert.AreEqual(1, calls, "the interval counts from the last check");
        StepAt(50, 600);
        Assert.AreEqual(2, release.Releases);
    }

    [TestCategory("Fast")]
    [TestMethod]
    public void AnEpochsEndReleasesAtOnceAndRestartsTheInterval()
    {
        var now = TimeSpan.FromSeconds(3);
        long resident = 100 * MiB;
        int calls = 0;
        var release = new PeriodicMemoryRelease(TimeSpan.FromSeconds(10), 0.03, () => now, () => resident, () => { calls++; return true; });
        release.AfterStep();
        release.ReleaseNow();
        Assert.AreEqual(1, calls, "whatever the resident set");
        now = TimeSpan.FromSeconds(12);
        release.AfterStep();
        resident = 200 * MiB;
        now = TimeSpan.FromSeconds(13);
        release.AfterStep();
        Assert.AreEqual(1, calls, "the first check only sets the level");
        now = TimeSpan.FromSeconds(23);
        release.AfterStep();
        Assert.AreEqual(1, calls, "level with the lowest check");
    }

    [TestCategory("Fast")]
    [TestMethod]
    public void WhereNothingCanBeReleasedNothingIsCounted()
    {
        long resident = MiB;
        var release = new PeriodicMemoryRelease(TimeSpan.Zero, 0, () => TimeSpan.Zero, () => resident++, () => false);
        release.AfterStep();
        release.AfterStep();
        release.ReleaseNow();
        Assert.AreEqual(0, release.Releases);
    }
}
