using System.Net;
using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// Which tracked flows a UDP forward change must forget. NAT is decided on a flow's first packet only, so a UDP flow
/// that reached the host before the forward existed keeps going to the host (and one DNATed to the guest keeps going
/// to it after the forward is gone) for as long as packets keep coming: the known Docker and CNI bug.
/// </summary>
public static class PortForwardConntrack
{
    public const byte Udp = 17;

    /// <summary>
    /// For a forward just added: flows to one of its host ports on an address it takes (<paramref name="hostAddresses"/>:
    /// the host's addresses; the forward's own host address when it has one).
    /// </summary>
    public static Func<ConntrackEntry, bool> BeforeAdd(ForwardedPort forward, IReadOnlyCollection<IPAddress> hostAddresses)
    {
        HashSet<IPAddress> targets = forward.HostAddress is { } own ? [own] : [.. hostAddresses.Where(a => !IPAddress.IsLoopback(a))];
        return e => e.Protocol == Udp && InRange(e.Original.DestinationPort, forward.HostFirst, forward.HostLast) && targets.Contains(e.Original.Destination);
    }

    /// <summary>For a forward just removed: the flows it sent to the guest (DNATed from one of its host ports).</summary>
    public static Func<ConntrackEntry, bool> AfterRemove(ForwardedPort forward) =>
        e => e.Protocol == Udp && InRange(e.Original.DestinationPort, forward.HostFirst, forward.HostLast)
             && e.Reply.Source.Equals(forward.Guest) && InRange(e.Reply.SourcePort, forward.GuestFirst, forward.GuestLast)
             && !e.Original.Destination.Equals(forward.Guest);

    private static bool InRange(int port, int first, int last) => first <= port && port <= last;
}
