using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.Linux.Live;

namespace VirtualNetworking.Linux.Tests.Store;

/// <summary>
/// The live store caches the definitions it parses and those it writes (a network with a thousand port forwards is
/// rewritten and read again on every change); every caller still gets its own copy, and a file changed by another
/// process is read anew. Files only, in a temp directory: no links are touched.
/// </summary>
public sealed class FileLiveNetworkStoreTests : IDisposable
{
    private const string Lab = """
        <network><name>lab</name><forward mode='nat'/><bridge name='labbr0'/><mac address='52:54:00:0a:0b:0c'/>
        <ip address='10.0.5.1' prefix='24'/></network>
        """;

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("vnet-live-store-tests-");
    private readonly FileLiveNetworkStore store;

    public FileLiveNetworkStoreTests() => store = new FileLiveNetworkStore(new StatePaths(root.FullName));

    public void Dispose() => root.Delete(recursive: true);

    private string LiveFile => Path.Combine(root.FullName, "run", "virtualnetworking", "networks", "lab.xml");

    [Fact]
    public void A_written_definition_is_what_the_next_load_returns_and_no_caller_edits_the_cache()
    {
        var definition = NetworkXml.Parse(Lab);
        store.BeginStart(definition);
        definition.Bridge!.Name = "edited0"; // after the write: reaches neither file nor cache
        Assert.Equal("labbr0", store.Load("lab")!.Definition.Bridge!.Name);

        var loaded = store.Load("lab")!.Definition;
        loaded.PortForwards.Add(new PortForwardDefinition { Protocol = PortProtocol.Tcp, HostPort = 8080, GuestAddress = System.Net.IPAddress.Parse("10.0.5.10") });
        Assert.Empty(store.Load("lab")!.Definition.PortForwards);

        store.SaveLiveDefinition(loaded);
        Assert.Equal("tcp 8080 -> 10.0.5.10:8080", Assert.Single(store.Load("lab")!.Definition.PortForwards).ToString());
        Assert.Equal(NetworkXml.Format(loaded), File.ReadAllText(LiveFile));
    }

    [Fact]
    public void A_file_another_process_rewrote_is_read_anew_and_a_cleared_network_is_gone()
    {
        store.BeginStart(NetworkXml.Parse(Lab));
        Assert.NotNull(store.Load("lab"));
        var written = File.GetLastWriteTimeUtc(LiveFile);

        File.WriteAllText(LiveFile, NetworkXml.Format(NetworkXml.Parse(Lab.Replace("labbr0", "labbr1", StringComparison.Ordinal))));
        // Set, not waited for: the cache keys on time and size, and a coarse clock could give both writes one time.
        File.SetLastWriteTimeUtc(LiveFile, written.AddSeconds(1));
        Assert.Equal("labbr1", store.Load("lab")!.Definition.Bridge!.Name);

        store.Clear("lab");
        Assert.Null(store.Load("lab"));
    }
}
