namespace VirtualNetworking.Linux.Netlink;

/// <summary>
/// Reads and changes links, addresses and routes of the calling process's network namespace over rtnetlink.
/// Every change is acknowledged by the kernel or throws a <see cref="NetlinkException"/> carrying its errno.
/// One socket per instance; calls are serialised, so an instance may be shared.
/// </summary>
public sealed partial class RtnetlinkClient : IDisposable
{
    private readonly NetlinkSocket _socket = new();

    public void Dispose() => _socket.Dispose();

    private IReadOnlyList<NetlinkMessage> Send(NetlinkMessageWriter message, string operation) =>
        _socket.Request(message, operation);
}
