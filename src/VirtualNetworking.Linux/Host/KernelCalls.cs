using VirtualNetworking.Core.Problems;
using VirtualNetworking.Linux.Netlink;

namespace VirtualNetworking.Linux.Host;

/// <summary>rtnetlink calls with the kernel's refusals turned into the module's problems, each naming what was tried.</summary>
internal static class KernelCalls
{
    public static void Change(string what, Action action)
    {
        try { action(); }
        catch (NetlinkException e) { throw Problem(what, e, ProblemCategory.InvalidOperation); }
    }

    public static T Read<T>(string what, Func<T> read)
    {
        try { return read(); }
        catch (NetlinkException e) { throw Problem(what, e, ProblemCategory.ReadError); }
    }

    /// <summary>The index of a link that must exist.</summary>
    public static int Index(RtnetlinkClient client, string name) =>
        Read($"look up link {name}", () => client.GetLink(name))?.Index ?? throw new NetworkProblemException(ErrorIds.LinkNotFound,
            ProblemCategory.ObjectNotFound, $"Link '{name}' does not exist on this host.", name);

    public static NetworkProblemException Problem(string what, NetlinkException e, ProblemCategory category) => e.Errno is Errno.EPERM or Errno.EACCES
        ? new NetworkProblemException(ErrorIds.PermissionDenied, ProblemCategory.PermissionDenied,
            $"Cannot {what}: the kernel refused ({e.Message}). Changing the host's networks needs root (CAP_NET_ADMIN): run pwsh as root.", what)
        : new NetworkProblemException(ErrorIds.HostOperationFailed, category, $"Cannot {what}: {e.Message}", what);
}
