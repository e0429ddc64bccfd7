using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Engine;

public enum NetworkState
{
    Inactive,
    Active,
}

/// <summary>A network as the catalog knows it: its definition and where it stands.</summary>
public sealed record NetworkRecord(NetworkDefinition Definition, bool Autostart, bool Persistent, NetworkState State);
