using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Engine;

/// <summary>What New-VNetwork asks for, before allocation. Null members take libvirt's defaults.</summary>
public sealed record NetworkRequest
{
    public required string Name { get; init; }
    public NetworkMode Mode { get; init; } = NetworkMode.Nat;
    /// <summary>Null = pick a free /24 at define.</summary>
    public IpNetwork? Subnet { get; init; }
    public IPAddress? DhcpStart { get; init; }
    public IPAddress? DhcpEnd { get; init; }
    public bool NoDhcp { get; init; }
    public string? BridgeName { get; init; }
    public string? ForwardDevice { get; init; }
    public bool? Stp { get; init; }
    public int? Mtu { get; init; }
    public string? Domain { get; init; }
    public string? MacAddress { get; init; }
    public bool Autostart { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }
}
