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
public sealed record HostAddress(int LinkIndex, IpNetwork Network);
public sealed record HostRoute(int? LinkIndex, IpNetwork Destination);

/// <summary>An address or route a new subnet must not overlap, and the link it is on (null: none, e.g. a blackhole).</summary>
public sealed record HostPrefix(int? LinkIndex, IpNetwork Network);

/// <summary>What the host's network stack has now: links, addresses, routes (read only).</summary>
public interface IHostNetworkView
{
    IReadOnlyList<HostLink> Links();
    IReadOnlyList<HostAddress> Addresses();
    IReadOnlyList<HostRoute> Routes();
    /// <summary>The name of a link, for messages; null when it is gone. Looked up one at a time, so listings stay cheap.</summary>
    string? LinkName(int index);
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
