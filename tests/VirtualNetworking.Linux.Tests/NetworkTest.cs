using VirtualNetworking.Linux.Netlink;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace VirtualNetworking.Linux.Tests;

/// <summary>
/// Base of every test class here: the constructor checks isolation before any test body runs,
/// and gives each test a client and short unique link names.
/// </summary>
public abstract class NetworkTest : IDisposable
{
    private static int _counter;

    protected NetworkTest()
    {
        TestNamespace = NetworkNamespaceGuard.AssertIsolated();
        Client = new RtnetlinkClient();
    }

    /// <summary>The throwaway namespace this run is inside (VNET_TEST_NETNS).</summary>
    protected string TestNamespace { get; }

    protected RtnetlinkClient Client { get; }

    /// <summary>"vt" + prefix + a counter: unique in the run, within the 15 bytes of IFNAMSIZ.</summary>
    protected static string NewName(string prefix) => $"vt{prefix}{Interlocked.Increment(ref _counter)}";

    protected LinkInfo RequireLink(string name) => Client.GetLink(name) ?? throw new Xunit.Sdk.XunitException($"Link {name} not found.");

    /// <summary>Polls until <paramref name="condition"/> holds (the kernel changes port states asynchronously).</summary>
    protected static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            Thread.Sleep(50);
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        GC.SuppressFinalize(this);
    }
}
