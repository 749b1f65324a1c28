using MLNetCnn.Runtime;

namespace MLNetCnn.Tests.Runtime;

[TestClass]
public sealed class PeriodicMemoryReleaseTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void StepsReleaseOnlyOnceTheIntervalHasPassed()
    {
        var now = TimeSpan.Zero;
        int calls = 0;
        var release = new PeriodicMemoryRelease(TimeSpan.FromSeconds(10), () => now, () => { calls++; return true; });

        foreach (double seconds in new[] { 1, 5, 9.9 })
        {
            now = TimeSpan.FromSeconds(seconds);
            release.AfterStep();
        }
        Assert.AreEqual(0, calls);
        now = TimeSpan.FromSeconds(10);
        release.AfterStep();
        Assert.AreEqual(1, calls);
        now = TimeSpan.FromSeconds(19);
        release.AfterStep();
        Assert.AreEqual(1, calls, "the interval counts from the last release");
        now = TimeSpan.FromSeconds(20);
        release.AfterStep();
        Assert.AreEqual(2, release.Releases);
    }

    [TestCategory("Fast")]
    [TestMethod]
    public void AnEpochsEndReleasesAtOnceAndRestartsTheInterval()
    {
        var now = TimeSpan.FromSeconds(3);
        int calls = 0;
        var release = new PeriodicMemoryRelease(TimeSpan.FromSeconds(10), () => now, () => { calls++; return true; });
        release.ReleaseNow();
        Assert.AreEqual(1, calls);
        now = TimeSpan.FromSeconds(12);
        release.AfterStep();
        Assert.AreEqual(1, calls);
        now = TimeSpan.FromSeconds(13);
        release.AfterStep();
        Assert.AreEqual(2, calls);
    }

    [TestCategory("Fast")]
    [TestMethod]
    public void WhereNothingCanBeReleasedNothingIsCounted()
    {
        var release = new PeriodicMemoryRelease(TimeSpan.Zero, () => TimeSpan.Zero, () => false);
        release.AfterStep();
        release.ReleaseNow();
        Assert.AreEqual(0, release.Releases);
    }
}
