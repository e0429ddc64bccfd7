using VirtualNetworking.Platform;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.GuestPorts;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Linux.Store;

namespace VirtualNetworking.Linux.Live;

/// <summary>
/// /run/virtualnetworking/ports/NETWORK/NAME.port: one record per port (<see cref="PortRecordFormat"/>), and
/// port-macs/MAC: an index of the guests' MACs. Written without fsync, like the rest of the live state.
/// </summary>
public sealed class FilePortRecordStore(StatePaths paths) : IPortRecordStore
{
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
        AtomicFile.WriteAllText(Path.Combine(PortDirectory(port.Network), port.Name + ".port"), PortRecordFormat.Format(port), durable: false);
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
