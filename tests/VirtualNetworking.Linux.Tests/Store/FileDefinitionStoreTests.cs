using System.Net;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.Linux.Store;

namespace VirtualNetworking.Linux.Tests.Store;

/// <summary>
/// The file store parses each file once and caches it; every caller must still get its own copy, or one caller's
/// edit (Set-VNetwork's, a refused one included) would reach the cache and every later reader. Files only, in a
/// temp directory: no links are touched.
/// </summary>
public sealed class FileDefinitionStoreTests : IDisposable
{
    private const string Lab = """
        <network>
          <name>lab</name>
          <uuid>11111111-2222-4333-8444-555555555555</uuid>
          <forward mode='nat'/>
          <bridge name='labbr0' stp='on' delay='0'/>
          <mac address='52:54:00:0a:0b:0c'/>
          <ip address='10.0.5.1' netmask='255.255.255.0'>
            <dhcp>
              <range start='10.0.5.2' end='10.0.5.254'/>
            </dhcp>
          </ip>
        </network>

        """;

    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("vnet-store-tests-");
    private readonly StatePaths paths;
    private readonly FileDefinitionStore store;

    public FileDefinitionStoreTests()
    {
        paths = new StatePaths(root.FullName);
        store = new FileDefinitionStore(paths);
        Directory.CreateDirectory(paths.NetworksDirectory);
        File.WriteAllText(paths.DefinitionFile("lab"), Lab);
    }

    public void Dispose() => root.Delete(recursive: true);

    /// <summary>Two edits that reach nested parts: the bridge's name and a DHCP host in the first &lt;ip&gt;.</summary>
    private static void Edit(NetworkDefinition definition)
    {
        definition.Bridge!.Name = "changed0";
        definition.Ips[0].Dhcp!.Hosts.Add(new DhcpHostDefinition { Mac = "52:54:00:00:00:99", Ip = IPAddress.Parse("10.0.5.99") });
    }

    [Fact]
    public void The_file_is_read_as_written()
    {
        // The premise of the tests below: a fresh read formats as the canonical file.
        Assert.Equal(Lab, NetworkXml.Format(store.Load("lab")!.Definition));
    }

    [Fact]
    public void Editing_a_loaded_definition_does_not_change_the_next_load()
    {
        var first = store.Load("lab")!.Definition;
        Edit(first);

        var second = store.Load("lab")!.Definition;

        Assert.NotSame(first, second);
        Assert.Equal("labbr0", second.Bridge!.Name);
        Assert.Empty(second.Ips[0].Dhcp!.Hosts);
        Assert.Equal(Lab, NetworkXml.Format(second));
    }

    [Fact]
    public void Editing_a_definition_from_LoadAll_does_not_change_the_next_LoadAll_or_Load()
    {
        Edit(Assert.Single(store.LoadAll()).Definition);

        Assert.Equal(Lab, NetworkXml.Format(Assert.Single(store.LoadAll()).Definition));
        Assert.Equal(Lab, NetworkXml.Format(store.Load("lab")!.Definition));
    }

    [Fact]
    public void Editing_a_definition_from_Load_does_not_change_the_next_LoadAll()
    {
        Edit(store.Load("lab")!.Definition);
        Assert.Equal(Lab, NetworkXml.Format(Assert.Single(store.LoadAll()).Definition));
    }

    [Fact]
    public void A_file_changed_on_disk_after_the_first_read_is_read_anew()
    {
        Assert.Equal("labbr0", store.Load("lab")!.Definition.Bridge!.Name);

        File.WriteAllText(paths.DefinitionFile("lab"), Lab.Replace("labbr0", "otherbr1", StringComparison.Ordinal));

        Assert.Equal("otherbr1", store.Load("lab")!.Definition.Bridge!.Name);
        Assert.Equal("otherbr1", Assert.Single(store.LoadAll()).Definition.Bridge!.Name);
    }

    [Fact]
    public void A_change_of_the_same_length_is_read_anew_when_the_modification_time_moves()
    {
        var file = paths.DefinitionFile("lab");
        Assert.Equal("labbr0", store.Load("lab")!.Definition.Bridge!.Name);
        var firstWrite = File.GetLastWriteTimeUtc(file);

        File.WriteAllText(file, Lab.Replace("labbr0", "labbr1", StringComparison.Ordinal));
        // Set, not waited for: the cache keys on time and size, and a coarse clock could give both writes one time.
        File.SetLastWriteTimeUtc(file, firstWrite.AddSeconds(1));

        Assert.Equal("labbr1", store.Load("lab")!.Definition.Bridge!.Name);
    }

    [Fact]
    public void A_definition_saved_through_the_store_is_what_the_next_load_returns()
    {
        var definition = store.Load("lab")!.Definition;
        Assert.Equal("labbr0", definition.Bridge!.Name); // cached now
        Edit(definition);

        store.Save(definition);

        var reloaded = store.Load("lab")!.Definition;
        Assert.Equal("changed0", reloaded.Bridge!.Name);
        Assert.Single(reloaded.Ips[0].Dhcp!.Hosts);
        Edit(definition); // the saved object stays the caller's: a later edit of it reaches neither file nor cache
        Assert.Single(store.Load("lab")!.Definition.Ips[0].Dhcp!.Hosts);
    }

    [Fact]
    public void A_deleted_definition_is_gone_even_though_it_was_cached()
    {
        Assert.NotNull(store.Load("lab"));
        store.Delete("lab");
        Assert.Null(store.Load("lab"));
        Assert.Empty(store.LoadAll());
    }
}
