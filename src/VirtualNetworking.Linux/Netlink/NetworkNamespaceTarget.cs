using System.Runtime.InteropServices;

namespace VirtualNetworking.Linux.Netlink;

/// <summary>
/// Where to put a link: the namespace behind an open file (e.g. /run/netns/NAME, IFLA_NET_NS_FD)
/// or the namespace of a process (IFLA_NET_NS_PID). The caller keeps the file open for the request.
/// </summary>
public sealed class NetworkNamespaceTarget
{
    private NetworkNamespaceTarget(SafeHandle? file, int processId)
    {
        File = file;
        ProcessId = processId;
    }

    public SafeHandle? File { get; }

    public int ProcessId { get; }

    public static NetworkNamespaceTarget FromFile(SafeHandle namespaceFile) => new(namespaceFile, 0);

    public static NetworkNamespaceTarget FromProcess(int processId) => new(null, processId);

    internal void WriteTo(NetlinkMessageWriter message)
    {
        if (File is null)
        {
            message.Attribute(LinkAttribute.NetNsPid, (uint)ProcessId);
        }
        else
        {
            message.Attribute(LinkAttribute.NetNsFd, (uint)File.DangerousGetHandle());
        }
    }
}
