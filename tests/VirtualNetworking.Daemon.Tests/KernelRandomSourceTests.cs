namespace VirtualNetworking.Daemon.Tests;

/// <summary>The daemon's randomness comes from getrandom(2) in full, whatever the length asked.</summary>
public sealed class KernelRandomSourceTests
{
    [Fact]
    public void Two_fills_differ_and_a_large_one_is_filled_to_its_end()
    {
        var first = new byte[32];
        var second = new byte[32];
        KernelRandomSource.Instance.Fill(first);
        KernelRandomSource.Instance.Fill(second);
        Assert.NotEqual(first, second);

        // getrandom returns at most 32 MiB - 1 per call: a longer buffer takes several, and its tail is filled too.
        var large = new byte[40 * 1024 * 1024];
        KernelRandomSource.Instance.Fill(large);
        Assert.Contains(large.AsSpan(large.Length - 4096).ToArray(), b => b != 0);
    }
}
