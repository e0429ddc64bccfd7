using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Linux.Host;

/// <summary>An adapter over one rtnetlink socket, opened on first use (a command that never touches links opens none).</summary>
public abstract class NetlinkAdapter : IDisposable
{
    private readonly Lazy<RtnetlinkClient> netlink = new(() => new RtnetlinkClient());

    private protected RtnetlinkClient Client => netlink.Value;

    public void Dispose()
    {
        if (netlink.IsValueCreated) netlink.Value.Dispose();
        GC.SuppressFinalize(this);
    }
}
