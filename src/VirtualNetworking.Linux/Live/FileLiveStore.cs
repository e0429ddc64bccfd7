using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.Linux.Store;

namespace VirtualNetworking.Linux.Live;

/// <summary>
/// /run/virtualnetworking/networks: NAME.xml (live definition, written before the first step), NAME.journal
/// (undo steps, each appended before its step is done) and NAME.active (written last; holds "transient" or
/// "persistent"). An XML without a marker is an interrupted start. Nothing here is fsynced: the journal must
/// outlive a killed process, which a write() does (the page cache is the kernel's), and a power loss takes the
/// bridges and rules it would undo along with /run (tmpfs).
/// /run/virtualnetworking/ports/NETWORK/NAME.port: one record per port (<see cref="PortRecordFormat"/>), and
/// port-macs/MAC: an index of the guests' MACs.
/// </summary>
public sealed class FileLiveStore : ILiveStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);
    private readonly StatePaths paths;

    public FileLiveStore(StatePaths paths) => this.paths = paths;

    private string Directory => Path.Combine(paths.RunDirectory, "networks");
    private string Xml(string name) => Path.Combine(Directory, name + ".xml");
    private string Journal(string name) => Path.Combine(Directory, name + ".journal");
    private string Marker(string name) => Path.Combine(Directory, name + ".active");

    public IDisposable Lock() =>
        FileLock.AcquireOrExplain(Path.Combine(paths.RunDirectory, "networks.lock"), LockTimeout, "the live network state",
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
        string text;
        try { text = File.ReadAllText(Xml(name)); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        var marker = File.Exists(Marker(name)) ? File.ReadAllText(Marker(name)).Trim() : null;
        return new LiveNetwork(NetworkXml.Parse(text), Active: marker is not null, Transient: marker == "transient");
    }

    public void BeginStart(NetworkDefinition definition)
    {
        System.IO.Directory.CreateDirectory(Directory);
        File.Delete(Marker(definition.Name));
        File.Delete(Journal(definition.Name));
        Platform.AtomicFile.WriteAllText(Xml(definition.Name), NetworkXml.Format(definition), durable: false);
    }

    public void AppendUndo(string name, UndoStep step)
    {
        using var stream = new FileStream(Journal(name), FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(System.Text.Encoding.UTF8.GetBytes(step.Encode() + "\n"));
    }

    public IReadOnlyList<UndoStep> ReadUndo(string name)
    {
        if (!File.Exists(Journal(name))) return Array.Empty<UndoStep>();
        return File.ReadAllLines(Journal(name)).Where(l => l.Length > 0).Select(UndoStep.Decode).OfType<UndoStep>().ToList();
    }

    public void MarkActive(string name, bool transient) =>
        Platform.AtomicFile.WriteAllText(Marker(name), transient ? "transient" : "persistent", durable: false);

    public void SaveLiveDefinition(NetworkDefinition definition) =>
        Platform.AtomicFile.WriteAllText(Xml(definition.Name), NetworkXml.Format(definition), durable: false);

    /// <summary>The marker goes first, so a crash in between leaves an interrupted start, never a false "active".</summary>
    public void Clear(string name)
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        File.Delete(Marker(name));
        File.Delete(Journal(name));
        File.Delete(Xml(name));
    }

    private string PortsRoot => Path.Combine(paths.RunDirectory, "ports");

    private string PortDirectory(string network) => Path.Combine(PortsRoot, network);

    public IReadOnlyList<NetworkPort> LoadPorts(string? network)
    {
        if (!System.IO.Directory.Exists(PortsRoot)) return Array.Empty<NetworkPort>();
        var directories = network is null ? System.IO.Directory.EnumerateDirectories(PortsRoot)
            : System.IO.Directory.Exists(PortDirectory(network)) ? new[] { PortDirectory(network) } : Array.Empty<string>();
        var ports = new List<NetworkPort>();
        foreach (var directory in directories)
        {
            var owner = Path.GetFileName(directory);
            foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*.port"))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (PortCache.Read(file, text => PortRecordFormat.Parse(owner, name, text)) is { } port) ports.Add(port);
            }
        }
        return ports.OrderBy(p => p.Network, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Records are read once per change: creating the 500th port does not parse the other 499.</summary>
    private static readonly ParsedFileCache<NetworkPort> PortCache = new();

    /// <summary>port-macs/52-54-00-…: one empty file per guest MAC, so a uniqueness check reads no record.</summary>
    private string MacIndex(string macAddress) => Path.Combine(paths.RunDirectory, "port-macs", macAddress.Replace(':', '-'));

    public void SavePort(NetworkPort port)
    {
        System.IO.Directory.CreateDirectory(PortDirectory(port.Network));
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(MacIndex(port.MacAddress))!);
        File.WriteAllBytes(MacIndex(port.MacAddress), []);
        Platform.AtomicFile.WriteAllText(Path.Combine(PortDirectory(port.Network), port.Name + ".port"), PortRecordFormat.Format(port), durable: false);
    }

    public IReadOnlySet<string> PortNames()
    {
        if (!System.IO.Directory.Exists(PortsRoot)) return new HashSet<string>();
        return System.IO.Directory.EnumerateDirectories(PortsRoot)
            .SelectMany(d => System.IO.Directory.EnumerateFiles(d, "*.port"))
            .Select(Path.GetFileNameWithoutExtension).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    public bool PortMacTaken(string macAddress) => File.Exists(MacIndex(macAddress));

    /// <summary>The folders go with their last port, so a stopped network leaves nothing under /run.</summary>
    public void DeletePort(string network, string name)
    {
        var directory = PortDirectory(network);
        var record = Path.Combine(directory, name + ".port");
        if (PortCache.Read(record, text => PortRecordFormat.Parse(network, name, text)) is { } port)
        {
            File.Delete(MacIndex(port.MacAddress));
            DeleteIfEmpty(Path.GetDirectoryName(MacIndex(port.MacAddress))!);
        }
        File.Delete(record);
        PortCache.Forget(record);
        DeleteIfEmpty(directory);
        DeleteIfEmpty(Path.GetDirectoryName(directory)!);
    }

    private static void DeleteIfEmpty(string directory)
    {
        if (System.IO.Directory.Exists(directory) && !System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
            System.IO.Directory.Delete(directory);
    }
}
