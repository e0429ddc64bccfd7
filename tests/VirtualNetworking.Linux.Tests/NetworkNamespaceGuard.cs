using System.Runtime.InteropServices;

namespace VirtualNetworking.Linux.Tests;

/// <summary>
/// Refuses to let a test change links unless it runs inside the throwaway namespace of build/netns-run.sh.
/// Fails (never skips) when isolation is missing; skips only when not root, where nothing could be changed anyway.
/// </summary>
internal static class NetworkNamespaceGuard
{
    private const string HowToRun =
        "run through build/netns-run.sh (e.g. bash build/netns-run.sh dotnet test tests/VirtualNetworking.Linux.Tests --no-build)";

    public static string AssertIsolated()
    {
        Skip.If(GetEffectiveUserId() != 0, "Netlink tests change links and need root.");
        var name = Environment.GetEnvironmentVariable("VNET_TEST_NETNS");
        Assert.False(string.IsNullOrEmpty(name), $"VNET_TEST_NETNS is not set: {HowToRun}.");

        var own = TryIdentify("/proc/self/ns/net");
        Assert.True(own is not null && own == TryIdentify($"/run/netns/{name}"),
            $"This process is not inside the test namespace '{name}': {HowToRun}.");
        // pid 1's namespace is the machine's own. Some sandboxes deny reading it even to root; then the check
        // above (we are inside the namespace `ip netns add` made for this run) has to suffice.
        var machine = TryIdentify("/proc/1/ns/net");
        Assert.True(machine is null || machine != own,
            $"This process is in the machine's own network namespace: {HowToRun}.");
        return name!;
    }

    /// <summary>Device and inode of a namespace file: equal pairs mean the same namespace.</summary>
    private static (ulong Device, ulong Inode)? TryIdentify(string path)
    {
        // struct statx is the same on every architecture: stx_ino at 32, stx_dev_major/minor at 136/140.
        var buffer = new byte[256];
        if (Statx(AtFdCwd, path, 0, StatxIno, buffer) != 0)
        {
            return null;
        }
        var device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
        return (device, BitConverter.ToUInt64(buffer, 32));
    }

    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int directoryFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();
}
