using System.Net;

namespace VirtualNetworking.Core.Model;

public enum PortProtocol
{
    Tcp,
    Udp,
}

/// <summary>
/// One port forward of a network (our extension, kept in &lt;metadata&gt;): connections to a host port or range
/// are sent to a guest. Values are held as given, so that NetworkValidator can name what is wrong with them.
/// </summary>
public sealed class PortForwardDefinition
{
    public PortProtocol Protocol { get; set; } = PortProtocol.Tcp;
    /// <summary>Null = every address of the host.</summary>
    public IPAddress? HostAddress { get; set; }
    public int HostPort { get; set; }
    /// <summary>Last port of a range; null = the single port <see cref="HostPort"/>.</summary>
    public int? HostPortEnd { get; set; }
    public IPAddress GuestAddress { get; set; } = IPAddress.None;
    /// <summary>Null = the host port(s).</summary>
    public int? GuestPort { get; set; }
    public int? GuestPortEnd { get; set; }
    /// <summary>CIDR prefixes allowed to connect, as written; empty = anyone.</summary>
    public List<string> SourcePrefixes { get; } = new();
    public string? Description { get; set; }

    public int HostPortLast => HostPortEnd ?? HostPort;
    /// <summary>The guest's first port, defaulting to the host's.</summary>
    public int GuestPortFirst => GuestPort ?? HostPort;
    public int GuestPortLast => GuestPort is null ? HostPortLast : GuestPortEnd ?? GuestPort.Value;

    /// <summary>
    /// Whether both would take the same connections: the same protocol and family, host port ranges that share a port,
    /// and host addresses that can be the same (none = all but loopback; a loopback address is only ever itself).
    /// </summary>
    public bool ClaimsSameHostPort(PortForwardDefinition other) =>
        Protocol == other.Protocol
        && GuestAddress.AddressFamily == other.GuestAddress.AddressFamily
        && HostPort <= other.HostPortLast && other.HostPort <= HostPortLast
        && (HostAddress is null ? other.HostAddress is null || !IPAddress.IsLoopback(other.HostAddress)
            : other.HostAddress is null ? !IPAddress.IsLoopback(HostAddress) : HostAddress.Equals(other.HostAddress));

    /// <summary>The same forward: protocol, family, first host port and host address, which no two forwards share.</summary>
    public bool IsSameForward(PortForwardDefinition other) =>
        Protocol == other.Protocol && HostPort == other.HostPort && Equals(HostAddress, other.HostAddress)
        && GuestAddress.AddressFamily == other.GuestAddress.AddressFamily;

    /// <summary>Whether this forward takes connections to <paramref name="port"/> of <paramref name="protocol"/> (and the host address, when given).</summary>
    public bool Takes(PortProtocol protocol, int port, IPAddress? hostAddress) =>
        Protocol == protocol && HostPort <= port && port <= HostPortLast && (hostAddress is null || hostAddress.Equals(HostAddress));

    /// <summary>"tcp 8080 -> 192.168.122.10:80", as messages name a forward.</summary>
    public override string ToString()
    {
        var host = HostPortEnd is null ? $"{HostPort}" : $"{HostPort}-{HostPortLast}";
        var guest = GuestPortFirst == GuestPortLast ? $"{GuestPortFirst}" : $"{GuestPortFirst}-{GuestPortLast}";
        var hostAddress = HostAddress is null ? "" : Bracketed(HostAddress) + ":";
        return $"{Protocol.ToString().ToLowerInvariant()} {hostAddress}{host} -> {Bracketed(GuestAddress)}:{guest}";
    }

    private static string Bracketed(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    public PortForwardDefinition Clone()
    {
        var copy = new PortForwardDefinition
        {
            Protocol = Protocol, HostAddress = HostAddress, HostPort = HostPort, HostPortEnd = HostPortEnd, GuestAddress = GuestAddress,
            GuestPort = GuestPort, GuestPortEnd = GuestPortEnd, Description = Description,
        };
        copy.SourcePrefixes.AddRange(SourcePrefixes);
        return copy;
    }
}
