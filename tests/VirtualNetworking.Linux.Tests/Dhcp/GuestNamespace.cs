namespace VirtualNetworking.Linux.Tests.Dhcp;

/// <summary>
/// A second network namespace playing a guest: its eth0 is a veth whose other end is a port of the test's bridge.
/// Deleted (with its veth) on Dispose.
/// </summary>
internal sealed class GuestNamespace : IDisposable
{
    private static int _counter;

    /// <param name="sysctls">Settings (key=value) made in the guest before its eth0 goes up.</param>
    public GuestNamespace(string bridge, string mac, params string[] sysctls)
    {
        Name = $"vtguest-{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}";
        HostPort = $"vtgp{Environment.ProcessId % 10000}x{_counter}";
        Mac = mac;
        IpCommand.Run("netns", "add", Name);
        try
        {
            IpCommand.Run("link", "add", HostPort, "type", "veth", "peer", "name", "eth0", "netns", Name);
            IpCommand.Run("-n", Name, "link", "set", "eth0", "address", mac);
            foreach (var sysctl in sysctls) IpCommand.Run("netns", "exec", Name, "sysctl", "-qw", sysctl);
            IpCommand.Run("-n", Name, "link", "set", "eth0", "up");
            IpCommand.Run("-n", Name, "link", "set", "lo", "up");
            IpCommand.Run("link", "set", HostPort, "master", bridge, "up");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Name { get; }
    public string HostPort { get; }
    public string Mac { get; }

    public void Dispose()
    {
        // Deleting the namespace deletes eth0 and with it the veth's host end.
        try { IpCommand.Run("netns", "delete", Name); } catch (Xunit.Sdk.XunitException) { }
    }
}
