using VirtualNetworking.Platform;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.Linux.Store;

namespace VirtualNetworking.Linux.Live;

/// <summary>
/// /run/virtualnetworking/networks: NAME.xml (live definition, written before the first step), NAME.journal
/// (undo steps, each appended before its step is done) and NAME.active (written last; holds "transient" or
/// "persistent"). An XML without a marker is an interrupted start. Nothing here is fsynced: the journal must
/// outlive a killed process, which a write() does (the page cache is the kernel's), and a power loss takes the
/// bridges and rules it would undo along with /run (tmpfs).
/// </summary>
public sealed class FileLiveNetworkStore(StatePaths paths) : ILiveNetworkStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);

    private string Directory => Path.Combine(paths.RunDirectory, "networks");
    private string Xml(string name) => Path.Combine(Directory, name + ".xml");
    private string Journal(string name) => Path.Combine(Directory, name + ".journal");
    private string Marker(string name) => Path.Combine(Directory, name + ".active");

    public IDisposable Lock() => Lock(LockTimeout);

    public IDisposable? TryLock(TimeSpan wait)
    {
        try { return Lock(wait); }
        catch (NetworkProblemException e) when (e.First.ErrorId == ErrorIds.StoreBusy) { return null; }
    }

    private FileLock Lock(TimeSpan timeout) =>
        FileLock.AcquireOrExplain(Path.Combine(paths.RunDirectory, "networks.lock"), timeout, "the live network state",
            "Starting and stopping networks needs root: run pwsh as root.");

    public IReadOnlyList<LiveNetwork> LoadAll()
    {
        if (!System.IO.Directory.Exists(Directory)) return Array.Empty<LiveNetwork>();
        return System.IO.Directory.EnumerateFiles(Directory, "*.xml")
            .Select(f => Load(Path.GetFileName(f)[..^4]))
            .OfType<LiveNetwork>()
            .ToList();
    }

    public IReadOnlyList<string> Names() => !System.IO.Directory.Exists(Directory) ? Array.Empty<string>()
        : System.IO.Directory.EnumerateFiles(Directory, "*.xml").Select(f => Path.GetFileName(f)[..^4]).ToList();

    public LiveNetwork? Load(string name)
    {
        if (name.Length == 0 || name.Contains('/')) return null;
        // Parsed once per change of the file; every caller gets its own copy.
        if (Definitions.Read(Xml(name), NetworkXml.Parse)?.Clone() is not { } definition) return null;
        var marker = File.Exists(Marker(name)) ? File.ReadAllText(Marker(name)).Trim() : null;
        return new LiveNetwork(definition, Active: marker is not null, Transient: marker == "transient");
    }

    private static readonly ParsedFileCache<NetworkDefinition> Definitions = new();

    private void WriteDefinition(NetworkDefinition definition)
    {
        AtomicFile.WriteAllText(Xml(definition.Name), NetworkXml.Format(definition), durable: false);
        Definitions.Remember(Xml(definition.Name), definition.Clone());
    }

    public void BeginStart(NetworkDefinition definition)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.Delete(Marker(definition.Name));
        File.Delete(Journal(definition.Name));
        WriteDefinition(definition);
    }

    public void AppendUndo(string name, string step)
    {
        using var stream = new FileStream(Journal(name), FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(System.Text.Encoding.UTF8.GetBytes(step + "\n"));
    }

    public IReadOnlyList<string> ReadUndo(string name)
    {
        if (!File.Exists(Journal(name))) return Array.Empty<string>();
        return File.ReadAllLines(Journal(name)).Where(l => l.Length > 0).ToList();
    }

    public void MarkActive(string name, bool transient) =>
        AtomicFile.WriteAllText(Marker(name), transient ? "transient" : "persistent", durable: false);

    public void SaveLiveDefinition(NetworkDefinition definition) => WriteDefinition(definition);

    /// <summary>The marker goes first, so a crash in between leaves an interrupted start, never a false "active".</summary>
    public void Clear(string name)
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        File.Delete(Marker(name));
        File.Delete(Journal(name));
        File.Delete(Xml(name));
        Definitions.Forget(Xml(name));
    }
}
