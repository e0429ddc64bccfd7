using System.Net;
using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Health;

/// <summary>Markers a packet field can be instead of a value.</summary>
internal enum PacketValue
{
    /// <summary>The packet lacks the header (an ip match on an IPv6 packet): the rule never matches, negated or not.</summary>
    Absent,
    /// <summary>An interface the caller could not name.</summary>
    UnknownName,
    /// <summary>conntrack's status bits: only "not DNATed" is known.</summary>
    CtStatus,
    /// <summary>An element the analysis cannot read (a named set, a concatenation).</summary>
    NamedSet,
}

/// <summary>An interface name on the packet, matched against nft's "virbr*" and iptables' "virbr+" patterns.</summary>
internal sealed record InterfaceName(string Name);

internal sealed record ElementRange(object? Low, object? High);

/// <summary>Comparisons shared by the nft JSON and the iptables-save readers.</summary>
internal static class PacketMatches
{
    public static Tri Compare(object? value, IReadOnlyList<object?> elements, bool negate)
    {
        if (value is PacketValue.Absent) return Tri.False;
        var any = Tri.False;
        foreach (var element in elements)
        {
            var result = One(value, element);
            if (result == Tri.True) { any = Tri.True; break; }
            if (result == Tri.Maybe) any = Tri.Maybe;
        }
        return negate ? any switch { Tri.True => Tri.False, Tri.False => Tri.True, _ => Tri.Maybe } : any;
    }

    /// <summary>nft's trailing "*" (unless escaped) and iptables' trailing "+" match by prefix.</summary>
    public static bool InterfaceMatches(string name, string pattern)
    {
        if (pattern.EndsWith("\\*", StringComparison.Ordinal)) return name == pattern[..^2] + "*";
        if (pattern.EndsWith('*') || pattern.EndsWith('+')) return name.StartsWith(pattern[..^1], StringComparison.Ordinal);
        return name == pattern;
    }

    private static Tri One(object? value, object? element) => (value, element) switch
    {
        (_, PacketValue.NamedSet) or (PacketValue.UnknownName, _) => Tri.Maybe,
        (PacketValue.CtStatus, string bit) => bit == "dnat" ? Tri.False : Tri.Maybe,
        (InterfaceName name, string pattern) => Of(InterfaceMatches(name.Name, pattern)),
        (string symbol, string other) => Of(string.Equals(symbol, other, StringComparison.OrdinalIgnoreCase)),
        (string protocol, long number) => Of(ProtocolNumber(protocol) == number),
        (IPAddress address, IPAddress other) => Of(address.Equals(other)),
        (IPAddress address, IpNetwork prefix) => Of(prefix.Contains(address)),
        (IPAddress address, ElementRange { Low: IPAddress low, High: IPAddress high }) =>
            Of(low.AddressFamily == address.AddressFamily && IpNetwork.Compare(low, address) <= 0 && IpNetwork.Compare(address, high) <= 0),
        (IPAddress, _) => Tri.False,
        (int port, long number) => Of(port == number),
        (int port, ElementRange { Low: long low, High: long high }) => Of(low <= port && port <= high),
        (int port, string service) => ServicePort(service) is { } known ? Of(port == known) : Tri.Maybe,
        (bool flag, bool other) => Of(flag == other),
        _ => Tri.Maybe,
    };

    private static Tri Of(bool value) => value ? Tri.True : Tri.False;

    private static int ProtocolNumber(string protocol) => protocol switch { "tcp" => 6, "udp" => 17, _ => -1 };

    private static int? ServicePort(string service) => service switch
    {
        "domain" => 53,
        "bootps" => 67,
        "bootpc" => 68,
        _ => null,
    };
}
