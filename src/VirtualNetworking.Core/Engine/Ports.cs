using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Engine;

/// <summary>A stored definition and its autostart flag.</summary>
public sealed record StoredNetwork(NetworkDefinition Definition, bool Autostart);

/// <summary>Persistent definitions (libvirt's /etc/libvirt/qemu/networks). Writes are atomic.</summary>
public interface IDefinitionStore
{
    /// <summary>An exclusive lock over the whole store, across processes; dispose to release.</summary>
    IDisposable Lock();
    IReadOnlyList<StoredNetwork> LoadAll();
    StoredNetwork? Load(string name);
    void Save(NetworkDefinition definition);
    void Delete(string name);
    void SetAutostart(string name, bool autostart);
}

public sealed record HostLink(int Index, string Name);
public sealed record HostAddress(string LinkName, IpNetwork Network);
public sealed record HostRoute(string? LinkName, IpNetwork Destination);

/// <summary>What the host's network stack has now: links, addresses, routes (read only).</summary>
public interface IHostNetworkView
{
    IReadOnlyList<HostLink> Links();
    IReadOnlyList<HostAddress> Addresses();
    IReadOnlyList<HostRoute> Routes();
}

/// <summary>Randomness for UUIDs and MACs, injectable so tests are reproducible.</summary>
public interface IRandomSource
{
    void Fill(Span<byte> buffer);
}

public sealed class SystemRandomSource : IRandomSource
{
    public static readonly SystemRandomSource Instance = new();
    public void Fill(Span<byte> buffer) => System.Security.Cryptography.RandomNumberGenerator.Fill(buffer);
}
