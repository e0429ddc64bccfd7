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
