using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Ports;

/// <summary>A network with live state. Not active = a start that was interrupted.</summary>
public sealed record LiveNetwork(NetworkDefinition Definition, bool Active, bool Transient);

/// <summary>
/// Live state of networks under /run: each one's live definition, its undo journal and its active marker. Undo
/// steps are opaque lines to the store (the engine encodes them).
/// </summary>
public interface ILiveNetworkStore
{
    /// <summary>Serializes every start and stop on the host (and so every firewall change).</summary>
    IDisposable Lock();
    /// <summary>The same lock, or null when another session held it for all of <paramref name="wait"/>.</summary>
    IDisposable? TryLock(TimeSpan wait);
    /// <summary>Definitions with live state: active ones and interrupted starts.</summary>
    IReadOnlyList<LiveNetwork> LoadAll();
    /// <summary>The names of <see cref="LoadAll"/> without reading anything (cheap).</summary>
    IReadOnlyList<string> Names();
    LiveNetwork? Load(string name);
    void BeginStart(NetworkDefinition definition);
    void AppendUndo(string name, string step);
    IReadOnlyList<string> ReadUndo(string name);
    void MarkActive(string name, bool transient);
    /// <summary>Replaces the live definition of an active network (changes applied live).</summary>
    void SaveLiveDefinition(NetworkDefinition definition);
    void Clear(string name);
}
