using System.Net;
using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// Port forwards as elements of the shared maps and set of our tables (<see cref="FirewallLayout.ForwardAddresses"/>,
/// <see cref="FirewallLayout.ForwardPorts"/>, <see cref="FirewallLayout.Forwarded"/>): a fixed handful of rules looks
/// them up, so a new connection costs one lookup per map whatever the number of forwards, and a forward comes and goes
/// as elements, without a rule, a handle or a listing. Elements are computed whole from a network's forwards and
/// changed by difference, so the same forwards always give the same elements.
/// </summary>
public sealed record PortForwardElements(
    IReadOnlyCollection<ForwardAddress> Addresses, IReadOnlyCollection<ForwardPort> Ports, IReadOnlyCollection<ForwardedGuest> Guests)
{
    public static PortForwardElements Empty { get; } = new([], [], []);

    public bool IsEmpty => Addresses.Count == 0 && Ports.Count == 0 && Guests.Count == 0;

    private static readonly IpNetwork Ipv4Loopback = IpNetwork.Parse("127.0.0.0/8");
    private static readonly IpNetwork Ipv6Loopback = IpNetwork.Parse("::1/128");

    /// <summary>
    /// Every forward's keys (each source prefix, each host address span, the host ports: one key for a range the guest
    /// gets unshifted, one per port for a shifted one, since the ports map gives one port per key) and the guests' ports,
    /// merged per guest and protocol because the set refuses overlapping intervals.
    /// </summary>
    public static PortForwardElements Of(IEnumerable<ForwardedPort> forwards)
    {
        var addresses = new HashSet<ForwardAddress>();
        var ports = new HashSet<ForwardPort>();
        var guests = new List<ForwardedGuest>();
        foreach (var forward in forwards)
        {
            var ipv6 = forward.Guest.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            foreach (var source in Sources(forward, ipv6))
                foreach (var destination in Destinations(forward, ipv6))
                {
                    if (forward.GuestFirst == forward.HostFirst)
                    {
                        addresses.Add(new(new(source, destination, forward.Protocol, forward.HostFirst, forward.HostLast), forward.Guest));
                        continue;
                    }
                    for (var offset = 0; offset <= forward.HostLast - forward.HostFirst; offset++)
                    {
                        var key = new ForwardKey(source, destination, forward.Protocol, forward.HostFirst + offset, forward.HostFirst + offset);
                        addresses.Add(new(key, forward.Guest));
                        ports.Add(new(key, forward.GuestFirst + offset));
                    }
                }
            guests.Add(new(forward.Guest, forward.Protocol, forward.GuestFirst, forward.GuestLast));
        }
        return new(addresses, ports, Merge(guests));
    }

    /// <summary>What turns <paramref name="before"/>'s elements into <paramref name="after"/>'s: delete these, then add those.</summary>
    public static (PortForwardElements Delete, PortForwardElements Add) Changes(PortForwardElements before, PortForwardElements after) =>
        (new([.. before.Addresses.Except(after.Addresses)], [.. before.Ports.Except(after.Ports)], [.. before.Guests.Except(after.Guests)]),
         new([.. after.Addresses.Except(before.Addresses)], [.. after.Ports.Except(before.Ports)], [.. after.Guests.Except(before.Guests)]));

    /// <summary>Source prefixes within another of the forward's are dropped: their keys would overlap, which the map refuses.</summary>
    private static IEnumerable<IpNetwork> Sources(ForwardedPort forward, bool ipv6)
    {
        if (forward.Sources.Count == 0) return [new IpNetwork(ipv6 ? IPAddress.IPv6Any : IPAddress.Any, 0)];
        var prefixes = forward.Sources.Select(s => s.Canonical).Distinct().ToList();
        return prefixes.Where(p => !prefixes.Any(o => o.PrefixLength < p.PrefixLength && o.Contains(p.Address)));
    }

    /// <summary>
    /// The host address, or every address but loopback (a forward on 127.0.0.1 is an opt-in of its own and the host's
    /// connections to loopback stay on the host) as the spans around the loopback prefix.
    /// </summary>
    private static IEnumerable<AddressSpan> Destinations(ForwardedPort forward, bool ipv6)
    {
        if (forward.HostAddress is { } host) return [new AddressSpan(host, host)];
        var loopback = ipv6 ? Ipv6Loopback : Ipv4Loopback;
        var all = new IpNetwork(ipv6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var spans = new List<AddressSpan>();
        if (IpNetwork.Compare(loopback.Network, all.Network) > 0)
            spans.Add(new(all.Network, IpNetwork.Offset(loopback.Network, -1)));
        if (IpNetwork.Compare(loopback.Broadcast, all.Broadcast) < 0)
            spans.Add(new(IpNetwork.Offset(loopback.Broadcast, 1), all.Broadcast));
        return spans;
    }

    private static List<ForwardedGuest> Merge(IEnumerable<ForwardedGuest> guests)
    {
        var merged = new List<ForwardedGuest>();
        foreach (var group in guests.GroupBy(g => (g.Address, g.Protocol)))
        {
            ForwardedGuest? open = null;
            foreach (var next in group.OrderBy(g => g.FirstPort))
            {
                if (open is not null && next.FirstPort <= open.LastPort + 1) open = open with { LastPort = Math.Max(open.LastPort, next.LastPort) };
                else
                {
                    if (open is not null) merged.Add(open);
                    open = next;
                }
            }
            merged.Add(open!);
        }
        return merged;
    }
}

/// <summary>Addresses from <paramref name="First"/> to <paramref name="Last"/>, both included (one address when equal).</summary>
public sealed record AddressSpan(IPAddress First, IPAddress Last);

/// <summary>A key of the forward maps: who connects, to which host address, with which protocol, to which host ports.</summary>
public sealed record ForwardKey(IpNetwork Source, AddressSpan Destination, string Protocol, int FirstPort, int LastPort)
{
    public NftFamily Family => Source.IsIPv6 ? NftFamily.Ip6 : NftFamily.Ip;
}

/// <summary>An element of <see cref="FirewallLayout.ForwardAddresses"/>: connections with this key go to the guest.</summary>
public sealed record ForwardAddress(ForwardKey Key, IPAddress Guest);

/// <summary>An element of <see cref="FirewallLayout.ForwardPorts"/>: connections with this key go to this port of the guest.</summary>
public sealed record ForwardPort(ForwardKey Key, int Port);

/// <summary>An element of <see cref="FirewallLayout.Forwarded"/>: connections a forward sent to these ports of the guest pass the forward chain.</summary>
public sealed record ForwardedGuest(IPAddress Address, string Protocol, int FirstPort, int LastPort)
{
    public NftFamily Family => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? NftFamily.Ip6 : NftFamily.Ip;
}
