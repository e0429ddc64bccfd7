using VirtualNetworking.Core.GuestPorts;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking;

/// <summary>A guest's attachment to a network (libvirt's net-port): a tap for QEMU or a veth into a container.</summary>
public sealed class VNetworkPort
{
    internal VNetworkPort(PortStatus status)
    {
        var port = status.Port;
        Name = port.Name;
        Network = port.Network;
        Type = port.Type;
        MacAddress = port.MacAddress;
        HostMacAddress = port.HostMacAddress;
        Bridge = port.Bridge;
        Namespace = port.Namespace?.Display;
        GuestInterfaceName = port.GuestInterfaceName;
        OwnerUid = port.OwnerUid;
        IPAddress = status.IPAddress?.ToString();
        State = status.State;
        QemuArguments = port.Type == PortType.Tap
            ? ["-netdev", $"tap,id={port.Name},ifname={port.Name},script=no,downscript=no",
               "-device", $"virtio-net-pci,netdev={port.Name},mac={port.MacAddress}"]
            : [];
    }

    /// <summary>The host end: the tap QEMU opens (ifname=), or the veth end enslaved to the bridge.</summary>
    public string Name { get; }
    public string Network { get; }
    public PortType Type { get; }
    /// <summary>The guest's MAC: give it to QEMU (mac=); a veth's far end already has it.</summary>
    public string MacAddress { get; }
    /// <summary>The host end's MAC (fe:…), so the bridge never takes the guest's MAC as its own.</summary>
    public string HostMacAddress { get; }
    public string Bridge { get; }
    /// <summary>Where a veth's far end is: a namespace name, path, or pid:N.</summary>
    public string? Namespace { get; }
    public string? GuestInterfaceName { get; }
    /// <summary>The user whose QEMU may open the tap.</summary>
    public uint? OwnerUid { get; }
    /// <summary>The reserved address for the port's MAC, else the address its current DHCP lease holds.</summary>
    public string? IPAddress { get; }
    public PortState State { get; }
    /// <summary>For a tap: the QEMU arguments that attach a virtio NIC to it with the port's MAC.</summary>
    public string[] QemuArguments { get; }

    public override string ToString() => Name;
}
