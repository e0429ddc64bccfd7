using System.Net;
using System.Xml.Linq;

namespace VirtualNetworking.Core.Model;

/// <summary>
/// One network as libvirt's network XML describes it. Mutable so that parsing, allocation and
/// Set-VNetwork can fill it in; stores hand out copies (<see cref="Clone"/>), never a shared instance.
/// Elements we do not act on (EXOTIC) are kept as raw XML so they survive a round trip.
/// </summary>
public sealed class NetworkDefinition
{
    public string Name { get; set; } = "";
    public Guid? Uuid { get; set; }
    public string? Title { get; set; }
    public string? Description { get; set; }
    /// <summary>&lt;network ipv6='yes|no'&gt;</summary>
    public bool? Ipv6 { get; set; }
    /// <summary>&lt;network trustGuestRxFilters='yes|no'&gt;</summary>
    public bool? TrustGuestRxFilters { get; set; }

    /// <summary>Null = no &lt;forward&gt; element = isolated.</summary>
    public ForwardDefinition? Forward { get; set; }
    public BridgeDefinition? Bridge { get; set; }
    public int? Mtu { get; set; }
    /// <summary>Bridge MAC, lower case, colon separated.</summary>
    public string? MacAddress { get; set; }
    public DomainDefinition? Domain { get; set; }
    public DnsDefinition? Dns { get; set; }
    public List<IpDefinition> Ips { get; } = new();
    public List<RouteDefinition> Routes { get; } = new();

    /// <summary>Our own extension (bridged mode): the uplink moved into a bridge we create.</summary>
    public string? UplinkDevice { get; set; }
    /// <summary>Our own extension: port forwards, kept as &lt;vnet:portForward&gt; children of &lt;metadata&gt;.</summary>
    public List<PortForwardDefinition> PortForwards { get; } = new();

    // EXOTIC, raw, in libvirt's output slots.
    /// <summary>&lt;metadata&gt; less our port forwards: other applications' children, kept as they are.</summary>
    public XElement? Metadata { get; set; }
    public XElement? Vlan { get; set; }
    public XElement? Bandwidth { get; set; }
    /// <summary>&lt;port isolated='yes'/&gt;</summary>
    public XElement? Port { get; set; }
    public XElement? VirtualPort { get; set; }
    public List<XElement> PortGroups { get; } = new();
    public XElement? DnsmasqOptions { get; set; }

    public NetworkMode Mode => Forward?.Mode ?? NetworkMode.Isolated;

    /// <summary>A deep copy: no list, element or child object is shared with this one.</summary>
    public NetworkDefinition Clone()
    {
        var copy = new NetworkDefinition
        {
            Name = Name, Uuid = Uuid, Title = Title, Description = Description, Ipv6 = Ipv6, TrustGuestRxFilters = TrustGuestRxFilters,
            Forward = Forward?.Clone(), Bridge = Bridge?.Clone(), Mtu = Mtu, MacAddress = MacAddress, Domain = Domain?.Clone(),
            Dns = Dns?.Clone(), UplinkDevice = UplinkDevice,
            Metadata = Copy(Metadata), Vlan = Copy(Vlan), Bandwidth = Copy(Bandwidth), Port = Copy(Port), VirtualPort = Copy(VirtualPort),
            DnsmasqOptions = Copy(DnsmasqOptions),
        };
        copy.Ips.AddRange(Ips.Select(i => i.Clone()));
        copy.Routes.AddRange(Routes.Select(r => r.Clone()));
        copy.PortForwards.AddRange(PortForwards.Select(f => f.Clone()));
        copy.PortGroups.AddRange(PortGroups.Select(p => new XElement(p)));
        return copy;
    }

    private static XElement? Copy(XElement? element) => element is null ? null : new XElement(element);
}

public sealed class ForwardDefinition
{
    public NetworkMode Mode { get; set; } = NetworkMode.Nat;
    /// <summary>Forward interfaces (&lt;interface dev&gt;); the first is libvirt's forward dev.</summary>
    public List<string> Interfaces { get; } = new();
    public NatDefinition? Nat { get; set; }
    /// <summary>Attributes other than mode/dev (e.g. managed) and children other than interface/nat (pf, address, driver).</summary>
    public List<XAttribute> ExtraAttributes { get; } = new();
    public List<XElement> ExtraElements { get; } = new();
    public string? Dev => Interfaces.Count > 0 ? Interfaces[0] : null;

    public ForwardDefinition Clone()
    {
        var copy = new ForwardDefinition { Mode = Mode, Nat = Nat?.Clone() };
        copy.Interfaces.AddRange(Interfaces);
        copy.ExtraAttributes.AddRange(ExtraAttributes.Select(a => new XAttribute(a)));
        copy.ExtraElements.AddRange(ExtraElements.Select(e => new XElement(e)));
        return copy;
    }
}

public sealed class NatDefinition
{
    public bool? Ipv6 { get; set; }
    public IPAddress? AddressStart { get; set; }
    public IPAddress? AddressEnd { get; set; }
    public int? PortStart { get; set; }
    public int? PortEnd { get; set; }

    public NatDefinition Clone() => (NatDefinition)MemberwiseClone();
}

public sealed class BridgeDefinition
{
    public string? Name { get; set; }
    public string? Zone { get; set; }
    /// <summary>Null = not written (libvirt's default is on).</summary>
    public bool? Stp { get; set; }
    /// <summary>Forward delay in seconds.</summary>
    public int? Delay { get; set; }
    public string? MacTableManager { get; set; }

    public BridgeDefinition Clone() => (BridgeDefinition)MemberwiseClone();
}

public sealed class DomainDefinition
{
    public string Name { get; set; } = "";
    public bool? LocalOnly { get; set; }
    public bool? Register { get; set; }

    public DomainDefinition Clone() => (DomainDefinition)MemberwiseClone();
}

public sealed class DnsDefinition
{
    public bool? Enable { get; set; }
    public bool? ForwardPlainNames { get; set; }
    public List<DnsForwarder> Forwarders { get; } = new();
    public List<DnsTxtRecord> TxtRecords { get; } = new();
    public List<DnsSrvRecord> SrvRecords { get; } = new();
    public List<DnsHostRecord> Hosts { get; } = new();

    public DnsDefinition Clone()
    {
        var copy = new DnsDefinition { Enable = Enable, ForwardPlainNames = ForwardPlainNames };
        copy.Forwarders.AddRange(Forwarders.Select(f => f.Clone()));
        copy.TxtRecords.AddRange(TxtRecords.Select(t => t.Clone()));
        copy.SrvRecords.AddRange(SrvRecords.Select(r => r.Clone()));
        copy.Hosts.AddRange(Hosts.Select(h => h.Clone()));
        return copy;
    }
}

public sealed class DnsForwarder
{
    public string? Domain { get; set; }
    public IPAddress? Address { get; set; }
    public int? Port { get; set; }

    public DnsForwarder Clone() => (DnsForwarder)MemberwiseClone();
}

public sealed class DnsTxtRecord
{
    public string Name { get; set; } = "";
    public string Value { get; set; } = "";

    public DnsTxtRecord Clone() => (DnsTxtRecord)MemberwiseClone();
}

public sealed class DnsSrvRecord
{
    public string Service { get; set; } = "";
    public string Protocol { get; set; } = "";
    public string? Domain { get; set; }
    public string? Target { get; set; }
    public int? Port { get; set; }
    public int? Priority { get; set; }
    public int? Weight { get; set; }

    public DnsSrvRecord Clone() => (DnsSrvRecord)MemberwiseClone();
}

public sealed class DnsHostRecord
{
    public IPAddress Address { get; set; } = IPAddress.None;
    public List<string> Hostnames { get; } = new();

    public DnsHostRecord Clone()
    {
        var copy = new DnsHostRecord { Address = Address };
        copy.Hostnames.AddRange(Hostnames);
        return copy;
    }
}

public sealed class IpDefinition
{
    public IPAddress Address { get; set; } = IPAddress.None;
    /// <summary>The family attribute as written ("ipv4"/"ipv6"); null when absent.</summary>
    public string? Family { get; set; }
    public IPAddress? Netmask { get; set; }
    public int? Prefix { get; set; }
    public bool? LocalPtr { get; set; }
    public DhcpDefinition? Dhcp { get; set; }
    /// <summary>&lt;tftp root='…'/&gt;</summary>
    public string? TftpRoot { get; set; }

    public bool IsIPv6 => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    public IpDefinition Clone() => new()
    {
        Address = Address, Family = Family, Netmask = Netmask, Prefix = Prefix, LocalPtr = LocalPtr, Dhcp = Dhcp?.Clone(), TftpRoot = TftpRoot,
    };
}

public sealed class DhcpDefinition
{
    public List<DhcpRangeDefinition> Ranges { get; } = new();
    public List<DhcpHostDefinition> Hosts { get; } = new();
    public BootpDefinition? Bootp { get; set; }

    public DhcpDefinition Clone()
    {
        var copy = new DhcpDefinition { Bootp = Bootp?.Clone() };
        copy.Ranges.AddRange(Ranges.Select(r => r.Clone()));
        copy.Hosts.AddRange(Hosts.Select(h => h.Clone()));
        return copy;
    }
}

public sealed class DhcpRangeDefinition
{
    public IPAddress Start { get; set; } = IPAddress.None;
    public IPAddress End { get; set; } = IPAddress.None;
    public LeaseDefinition? Lease { get; set; }

    public DhcpRangeDefinition Clone() => new() { Start = Start, End = End, Lease = Lease?.Clone() };
}

public sealed class DhcpHostDefinition
{
    public string? Mac { get; set; }
    /// <summary>DHCPv6 DUID.</summary>
    public string? Id { get; set; }
    public string? Name { get; set; }
    public IPAddress? Ip { get; set; }
    public LeaseDefinition? Lease { get; set; }

    public DhcpHostDefinition Clone() => new() { Mac = Mac, Id = Id, Name = Name, Ip = Ip, Lease = Lease?.Clone() };
}

public sealed class LeaseDefinition
{
    /// <summary>0 = infinite.</summary>
    public ulong Expiry { get; set; }
    /// <summary>"seconds", "minutes" or "hours" as written; null = minutes.</summary>
    public string? Unit { get; set; }

    public TimeSpan? Duration => Expiry == 0 ? null : (Unit ?? "minutes") switch
    {
        "seconds" => TimeSpan.FromSeconds(Expiry),
        "hours" => TimeSpan.FromHours(Expiry),
        _ => TimeSpan.FromMinutes(Expiry),
    };

    public LeaseDefinition Clone() => (LeaseDefinition)MemberwiseClone();
}

public sealed class BootpDefinition
{
    public string File { get; set; } = "";
    public string? Server { get; set; }

    public BootpDefinition Clone() => (BootpDefinition)MemberwiseClone();
}

public sealed class RouteDefinition
{
    public string? Family { get; set; }
    public IPAddress Address { get; set; } = IPAddress.None;
    public IPAddress? Netmask { get; set; }
    public int? Prefix { get; set; }
    public IPAddress Gateway { get; set; } = IPAddress.None;
    public int? Metric { get; set; }

    public RouteDefinition Clone() => (RouteDefinition)MemberwiseClone();
}
