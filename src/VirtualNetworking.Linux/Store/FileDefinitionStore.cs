using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Linux.Store;

/// <summary>
/// Definitions as libvirt keeps them: NAME.xml in canonical form, autostart as a symlink in autostart/.
/// Readers need no lock (every write is an atomic rename); writers hold <see cref="Lock"/>.
/// </summary>
public sealed class FileDefinitionStore : IDefinitionStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    private readonly StatePaths paths;

    public FileDefinitionStore(StatePaths paths) => this.paths = paths;

    public IDisposable Lock() =>
        FileLock.AcquireOrExplain(Path.Combine(paths.NetworksDirectory, ".lock"), LockTimeout, "the network store",
            "Run as root, or set VNET_ROOT to a folder you own.");

    public IReadOnlyList<StoredNetwork> LoadAll()
    {
        if (!Directory.Exists(paths.NetworksDirectory))
        {
            // No folder yet means no networks; something else in its place is a store that cannot be read.
            if (!File.Exists(paths.NetworksDirectory)) return Array.Empty<StoredNetwork>();
            throw new NetworkProblemException(ErrorIds.HostOperationFailed, ProblemCategory.ReadError,
                $"The network store {paths.NetworksDirectory} is a file, not a folder. Move it away; the store keeps one XML file per network in that folder.",
                paths.NetworksDirectory);
        }
        var autostart = AutostartNames();
        var result = new List<StoredNetwork>();
        foreach (var file in Directory.EnumerateFiles(paths.NetworksDirectory, "*.xml"))
        {
            var definition = ReadDefinition(file);
            if (definition is not null) result.Add(new StoredNetwork(definition, autostart.Contains(definition.Name)));
        }
        return result;
    }

    public StoredNetwork? Load(string name)
    {
        if (!IsStorableName(name)) return null;
        var definition = ReadDefinition(paths.DefinitionFile(name));
        return definition is null || definition.Name != name ? null
            : new StoredNetwork(definition, File.Exists(paths.AutostartLink(name)));
    }

    public void Save(NetworkDefinition definition)
    {
        AtomicFile.WriteAllText(paths.DefinitionFile(definition.Name), NetworkXml.Format(definition));
        Cache.Remember(paths.DefinitionFile(definition.Name), definition.Clone());
    }

    public void Delete(string name)
    {
        SetAutostart(name, false);
        File.Delete(paths.DefinitionFile(name));
        Cache.Forget(paths.DefinitionFile(name));
        AtomicFile.SyncDirectory(paths.NetworksDirectory);
    }

    public void SetAutostart(string name, bool autostart)
    {
        var link = paths.AutostartLink(name);
        var present = File.Exists(link) || new FileInfo(link).LinkTarget is not null;
        if (autostart && !present)
        {
            Directory.CreateDirectory(paths.AutostartDirectory);
            // Relative, like libvirt's links, so a VNET_ROOT tree can be moved.
            File.CreateSymbolicLink(link, Path.Combine("..", name + ".xml"));
            AtomicFile.SyncDirectory(paths.AutostartDirectory);
        }
        else if (!autostart && present)
        {
            File.Delete(link);
            AtomicFile.SyncDirectory(paths.AutostartDirectory);
        }
    }

    private HashSet<string> AutostartNames()
    {
        if (!Directory.Exists(paths.AutostartDirectory)) return new HashSet<string>(StringComparer.Ordinal);
        return Directory.EnumerateFileSystemEntries(paths.AutostartDirectory, "*.xml")
            .Select(p => Path.GetFileName(p)[..^4]).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Parsed once per change of the file; every caller gets its own copy, so no caller's edit reaches the cache.</summary>
    private static NetworkDefinition? ReadDefinition(string file) => Cache.Read(file, NetworkXml.Parse)?.Clone();

    private static readonly ParsedFileCache<NetworkDefinition> Cache = new();

    private static bool IsStorableName(string name) =>
        name.Length > 0 && !name.Contains('/') && !name.Contains('\0');
}
