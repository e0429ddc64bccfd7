using VirtualNetworking.Linux.Interop;

namespace VirtualNetworking.Linux.Netlink;

/// <summary>
/// Reads and changes links, addresses and routes of the calling process's network namespace over rtnetlink.
/// Every change is acknowledged by the kernel or throws a <see cref="NetlinkException"/> carrying its errno.
/// One socket per instance; calls are serialised, so an instance may be shared.
/// </summary>
public sealed partial class RtnetlinkClient : IDisposable
{
    private readonly NetlinkSocket _socket;

    public RtnetlinkClient() => _socket = new NetlinkSocket();

    private RtnetlinkClient(NetlinkSocket socket) => _socket = socket;

    public void Dispose() => _socket.Dispose();

    /// <summary>
    /// A client for another namespace: a socket keeps the namespace it was opened in, so it is opened on a thread of
    /// its own that enters the namespace (setns acts on the calling thread only) and ends afterwards.
    /// </summary>
    public static RtnetlinkClient InNamespace(NetworkNamespaceTarget target)
    {
        using var file = target.File is null ? File.OpenHandle($"/proc/{target.ProcessId}/ns/net") : null;
        var fd = (int)(target.File ?? file!).DangerousGetHandle();
        NetlinkSocket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (LibC.SetNamespace(fd, LibC.CLONE_NEWNET) != 0) throw NetlinkException.FromLastError("enter the peer's network namespace (setns)");
                socket = new NetlinkSocket();
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        return failure is null ? new RtnetlinkClient(socket!) : throw failure;
    }

    private IReadOnlyList<NetlinkMessage> Send(NetlinkMessageWriter message, string operation) =>
        _socket.Request(message, operation);
}
