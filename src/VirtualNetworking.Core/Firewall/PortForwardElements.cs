using System.Net;
using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// Port forwards as elements of the shared maps and set of our tables (<see cref="FirewallLayout.Sets"/>): a fixed
/// handful of rules looks them up, so a new connection costs one lookup per map whatever the number of forwards, and a
/// forward comes and goes as elements, without a rule, a handle or a listing. Keys are exact (a port range is a key per
/// port) in hash maps, whose changes libnftables makes without reading them; only forwards restricted to source prefixes
/// need intervals (libnftables 1.0.6 reads an interval set's elements on every change, so their changes cost grows with
/// their number). Elements are computed whole from forwards and changed by difference, so the same forwards always give
/// the same elements.
/// </summary>
public sealed record PortForwardElements(
    IReadOnlyCollection<ForwardAddress> Addresses, IReadOnlyCollection<ForwardPort> Ports, IReadOnlyCollection<ForwardedGuest> Guests)
{
    public static PortForwardElements Empty { get; } = new([], [], []);

    public bool IsEmpty => Addresses.Count == 0 && Ports.Count == 0 && Guests.Count == 0;

    /// <summary>
    /// Every forward's keys, one per host port (and, for a forward restricted to sources, per source prefix and host address
    /// span), with the guest and guest port each goes to; and the guests' ports.
    /// </summary>
    public static PortForwardElements Of(IEnumerable<ForwardedPort> forwards)
    {
        var addresses = new HashSet<ForwardAddress>();
        var ports = new HashSet<ForwardPort>();
        var guests = new HashSet<ForwardedGuest>();
        foreach (var forward in forwards)
        {
            var ipv6 = forward.Guest.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            for (var offset = 0; offset <= forward.HostLast - forward.HostFirst; offset++)
            {
                foreach (var key in Keys(forward, forward.HostFirst + offset, ipv6))
                {
                    addresses.Add(new(key, forward.Guest));
                    ports.Add(new(key, forward.GuestFirst + offset));
                }
                guests.Add(new(forward.Guest, forward.Protocol, forward.GuestFirst + offset));
            }
        }
        return new(addresses, ports, guests);
    }

    /// <summary>What turns <paramref name="before"/>'s elements into <paramref name="after"/>'s: delete these, then add those.</summary>
    public static (PortForwardElements Delete, PortForwardElements Add) Changes(PortForwardElements before, PortForwardElements after) =>
        (new([.. before.Addresses.Except(after.Addresses)], [.. before.Ports.Except(after.Ports)], [.. before.Guests.Except(after.Guests)]),
         new([.. after.Addresses.Except(before.Addresses)], [.. after.Ports.Except(before.Ports)], [.. after.Guests.Except(before.Guests)]));

    private static IEnumerable<ForwardKey> Keys(ForwardedPort forward, int port, bool ipv6)
    {
        if (forward.Sources.Count == 0)
        {
            yield return new ForwardKey(forward.HostAddress is null ? ForwardKind.AnyAddress : ForwardKind.HostAddress,
                ipv6 ? NftFamily.Ip6 : NftFamily.Ip, Source: null, forward.HostAddress is { } host ? new AddressSpan(host, host) : null, forward.Protocol, port);
            yield break;
        }
        foreach (var source in Sources(forward))
            foreach (var destination in Destinations(forward, ipv6))
                yield return new ForwardKey(ForwardKind.Sourced, ipv6 ? NftFamily.Ip6 : NftFamily.Ip, source, destination, forward.Protocol, port);
    }

    /// <summary>Source prefixes within another of the forward's are dropped: their keys would overlap, which the map refuses.</summary>
    private static IEnumerable<IpNetwork> Sources(ForwardedPort forward)
    {
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
        var loopback = FirewallLayout.Loopback(ipv6 ? NftFamily.Ip6 : NftFamily.Ip);
        var all = new IpNetwork(ipv6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var spans = new List<AddressSpan>();
        if (IpNetwork.Compare(loopback.Network, all.Network) > 0)
            spans.Add(new(all.Network, IpNetwork.Offset(loopback.Network, -1)));
        if (IpNetwork.Compare(loopback.Broadcast, all.Broadcast) < 0)
            spans.Add(new(IpNetwork.Offset(loopback.Broadcast, 1), all.Broadcast));
        return spans;
    }
}

/// <summary>Which maps a forward's keys go to: they differ in what the key holds.</summary>
public enum ForwardKind
{
    /// <summary>On every host address (but loopback), from anyone: key protocol . port.</summary>
    AnyAddress,
    /// <summary>On one host address, from anyone: key host address . protocol . port.</summary>
    HostAddress,
    /// <summary>From some source prefixes only: key source . host address . protocol . port, with intervals.</summary>
    Sourced,
}

/// <summary>Addresses from <paramref name="First"/> to <paramref name="Last"/>, both included (one address when equal).</summary>
public sealed record AddressSpan(IPAddress First, IPAddress Last);

/// <summary>A key of the forward maps of <paramref name="Kind"/>: who connects, to which host address, with which protocol, to which host port.</summary>
/// <param name="Source">Only for <see cref="ForwardKind.Sourced"/>.</param>
/// <param name="Destination">Null for <see cref="ForwardKind.AnyAddress"/>.</param>
public sealed record ForwardKey(ForwardKind Kind, NftFamily Family, IpNetwork? Source, AddressSpan? Destination, string Protocol, int Port);

/// <summary>An element of an address map (<see cref="FirewallLayout.AddressMap"/>): connections with this key go to the guest.</summary>
public sealed record ForwardAddress(ForwardKey Key, IPAddress Guest);

/// <summary>An element of a port map (<see cref="FirewallLayout.PortMap"/>): connections with this key go to this port of the guest.</summary>
public sealed record ForwardPort(ForwardKey Key, int Port);

/// <summary>An element of <see cref="FirewallLayout.Forwarded"/>: connections a forward sent to this port of the guest pass the forward chain.</summary>
public sealed record ForwardedGuest(IPAddress Address, string Protocol, int Port)
{
    public NftFamily Family => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? NftFamily.Ip6 : NftFamily.Ip;
}
