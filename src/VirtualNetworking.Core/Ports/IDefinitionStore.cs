using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Ports;

/// <summary>A stored definition and its autostart flag.</summary>
public sealed record StoredNetwork(NetworkDefinition Definition, bool Autostart);

/// <summary>
/// Persistent definitions (libvirt's /etc/libvirt/qemu/networks). Writes are atomic. Every definition handed out
/// is the caller's own copy: changing it changes nothing the next caller reads.
/// </summary>
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
