using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking;

/// <summary>A virtual network as Get-VNetwork shows it (virsh net-list + net-info + more).</summary>
public sealed class VNetwork
{
    internal VNetwork(NetworkRecord record)
    {
        Definition = record.Definition;
        var d = record.Definition;
        Name = d.Name;
        Uuid = d.Uuid ?? Guid.Empty;
        State = record.State;
        Autostart = record.Autostart;
        Persistent = record.Persistent;
        Mode = d.Mode;
        Bridge = d.Bridge?.Name;
        MacAddress = d.MacAddress;
        Mtu = d.Mtu;
        Domain = d.Domain?.Name;
        ForwardDevice = d.Mode == NetworkMode.Bridged ? d.UplinkDevice : d.Forward?.Dev;
        StpEnabled = NetworkModeNames.IsManagedBridge(d.Mode) ? d.Bridge?.Stp ?? true : null;
        Title = d.Title;
        Description = d.Description;
        var subnets = NetworkCatalog.DefinedSubnets(d).ToArray();
        Subnets = subnets.Select(s => s.ToString()).ToArray();
        Subnet = subnets.Length > 0 ? Subnets[0] : null;
        Addresses = d.Ips.Select(ip => $"{ip.Address}/{NetworkValidator.Subnet(ip).PrefixLength}").ToArray();
        Gateway = d.Ips.Count > 0 ? d.Ips[0].Address.ToString() : null;
        var dhcp = d.Ips.Select(ip => ip.Dhcp).FirstOrDefault(x => x is not null);
        DhcpRange = dhcp?.Ranges.Select(r => $"{r.Start}-{r.End}").ToArray() ?? Array.Empty<string>();
        DhcpReservationCount = dhcp?.Hosts.Count ?? 0;
    }

    public string Name { get; }
    public Guid Uuid { get; }
    public NetworkState State { get; }
    public bool Autostart { get; }
    public bool Persistent { get; }
    public NetworkMode Mode { get; }
    public string? Bridge { get; }
    /// <summary>The first subnet (the table column); all of them are in <see cref="Subnets"/>.</summary>
    public string? Subnet { get; }
    public string[] Subnets { get; }
    /// <summary>The bridge's addresses with prefix, e.g. 192.168.122.1/24.</summary>
    public string[] Addresses { get; }
    public string? Gateway { get; }
    public string[] DhcpRange { get; }
    public int DhcpReservationCount { get; }
    public string? MacAddress { get; }
    public int? Mtu { get; }
    public string? Domain { get; }
    public string? ForwardDevice { get; }
    public bool? StpEnabled { get; }
    public string? Title { get; }
    public string? Description { get; }
    /// <summary>The libvirt definition behind this object; shared with the store's cache, so never changed.</summary>
    internal NetworkDefinition Definition { get; }

    public override string ToString() => Name;
}
