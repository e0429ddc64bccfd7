using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Ports;

/// <summary>The records of guest ports under /run, one per port, with an index of their guests' MACs.</summary>
public interface IPortRecordStore
{
    /// <summary>Port records of one network, or of every network when <paramref name="network"/> is null.</summary>
    IReadOnlyList<NetworkPort> LoadPorts(string? network);
    /// <summary>Written before the port's link is created, so a killed creation is cleaned up by the network's stop.</summary>
    void SavePort(NetworkPort port);
    /// <summary>The names of every network's port records, without reading them (cheap with hundreds of ports).</summary>
    IReadOnlySet<string> PortNames();
    /// <summary>Whether a port record holds this guest MAC, without reading the records.</summary>
    bool PortMacTaken(string macAddress);
    void DeletePort(string network, string name);
}
