using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Host;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Host;

/// <summary>Initialize-VNetworkHost's steps, each worked out after the previous one was applied or declined.</summary>
public sealed class HostSetupTests
{
    private const string ExistingDefault = """
        <network><name>default</name><uuid>927f4393-3e4e-4a94-9e42-67c4ebe45555</uuid><forward mode='nat'/>
        <bridge name='virbr0' stp='on' delay='0'/><mac address='52:54:00:b8:c9:9d'/>
        <ip address='192.168.122.1' netmask='255.255.255.0'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip></network>
        """;

    private readonly TestHost test = new();
    private readonly FakeBootUnitHost bootUnit;

    public HostSetupTests()
    {
        bootUnit = test.BootUnit;
        test.Host.AddLink("lo", null, null, 65536);
        test.Host.AddLink("eth0", "veth");
        test.Host.AddAddress("eth0", IpNetwork.Parse("203.0.113.2/24"));
        test.Host.AddRoute("eth0", IpNetwork.Parse("0.0.0.0/0"), System.Net.IPAddress.Parse("203.0.113.1"), 100);
    }

    private HostSetup Setup()
    {
        var ports = test.Ports();
        return new HostSetup(ports, new NetworkCatalog(ports), new NetworkRuntime(ports));
    }

    /// <summary>The boot unit as the setup would write it, installed and enabled: no boot step is due.</summary>
    private void InstallCurrentUnit()
    {
        bootUnit.Unit = BootUnit.Render(bootUnit.Pwsh!, bootUnit.ModuleManifestPath);
        bootUnit.Enabled = true;
    }

    /// <summary>
    /// Walks the steps as the cmdlet does: each is taken from the sequence only after the previous one was applied
    /// (or declined, when <paramref name="decline"/> says so). Returns the actions, a notice as "notice ErrorId".
    /// </summary>
    private List<string> Run(HostSetup setup, Func<SetupStep, bool>? decline = null)
    {
        var seen = new List<string>();
        foreach (var step in setup.Steps())
        {
            if (step.Warning is { } warning) seen.Add("notice " + warning.ErrorId);
            if (step.Apply is null) continue;
            seen.Add(step.Action);
            if (decline?.Invoke(step) != true) step.Apply();
        }
        return seen;
    }

    private const string Define = "Define the default NAT network";
    private const string MarkAutostart = "Mark the default network autostart";
    private const string Start = "Start the default network";
    private const string WriteUnit = "Write and enable the boot unit that starts autostart networks";

    [Fact]
    public void On_an_empty_host_it_defines_starts_and_installs_the_boot_unit()
    {
        var setup = Setup();

        Assert.Equal([Define, Start, WriteUnit], Run(setup)); // define sets autostart: no separate step

        var record = setup.DefaultNetworkRecord()!;
        Assert.True(record.Autostart);
        Assert.Equal(NetworkState.Active, record.State);
        Assert.NotNull(test.Host.GetLink("virbr0"));
        Assert.Equal(BootUnit.Render("/usr/bin/pwsh", bootUnit.ModuleManifestPath), bootUnit.Unit);
        Assert.True(bootUnit.Enabled);
    }

    [Fact]
    public void Running_it_again_finds_nothing_to_do()
    {
        Run(Setup());
        Assert.Empty(Run(Setup()));
    }

    [Fact]
    public void A_declined_definition_means_no_start_step()
    {
        var setup = Setup();

        Assert.Equal([Define, WriteUnit], Run(setup, decline: s => s.Action == Define));

        Assert.Null(setup.DefaultNetworkRecord());
        Assert.Empty(test.Definitions.Files);
        Assert.Null(test.Host.GetLink("virbr0"));
    }

    [Fact]
    public void An_existing_inactive_autostart_network_only_gets_started()
    {
        test.Definitions.Save(NetworkXml.Parse(ExistingDefault));
        test.Definitions.SetAutostart("default", true);
        InstallCurrentUnit();
        var stored = test.Definitions.Files["default"];

        Assert.Equal([Start], Run(Setup()));

        Assert.Equal(stored, test.Definitions.Files["default"]); // not redefined
        Assert.True(test.Live.Load("default")!.Active);
    }

    [Fact]
    public void An_existing_network_without_autostart_gets_the_autostart_step_then_the_start()
    {
        test.Definitions.Save(NetworkXml.Parse(ExistingDefault));
        InstallCurrentUnit();
        var stored = test.Definitions.Files["default"];

        Assert.Equal([MarkAutostart, Start], Run(Setup()));

        Assert.Contains("default", test.Definitions.Autostart);
        Assert.Equal(stored, test.Definitions.Files["default"]); // only the flag changed
    }

    [Fact]
    public void A_declined_start_leaves_the_network_inactive_and_the_boot_unit_still_follows()
    {
        test.Definitions.Save(NetworkXml.Parse(ExistingDefault));
        test.Definitions.SetAutostart("default", true);

        Assert.Equal([Start, WriteUnit], Run(Setup(), decline: s => s.Action == Start));

        Assert.Empty(test.Live.State);
    }

    [Fact]
    public void An_active_autostart_network_needs_no_step()
    {
        test.Definitions.Save(NetworkXml.Parse(ExistingDefault));
        test.Definitions.SetAutostart("default", true);
        new NetworkRuntime(test.Ports()).Start("default");
        InstallCurrentUnit();

        Assert.Empty(Run(Setup()));
    }

    [Fact]
    public void Without_systemd_there_is_no_boot_unit_step()
    {
        bootUnit.Systemd = false;
        bootUnit.Pwsh = null; // not even the notice: where systemd does not run, no unit is expected

        Assert.Equal([Define, Start], Run(Setup()));
        Assert.Equal(0, bootUnit.Writes);
        Assert.Null(bootUnit.Unit);
    }

    [Fact]
    public void Without_an_installed_pwsh_it_gives_a_notice_and_writes_nothing()
    {
        bootUnit.Pwsh = null;

        var setup = Setup();
        var steps = setup.Steps().ToList(); // declining everything: the notice does not depend on the network
        var notice = Assert.Single(steps, s => s.Warning is not null);

        Assert.Null(notice.Apply);
        Assert.Equal("VNetworkBootUnitSkipped", notice.Warning!.ErrorId);
        Assert.Equal(ProblemCategory.ResourceUnavailable, notice.Warning.Category);
        Assert.Equal(bootUnit.UnitPath, notice.Target);
        Assert.Contains("/usr/bin/pwsh", notice.Warning.Message); // where it looked
        Assert.Equal(["notice VNetworkBootUnitSkipped"], Run(Setup()).Where(s => s.StartsWith("notice", StringComparison.Ordinal)));
        Assert.Equal(0, bootUnit.Writes);
        Assert.Equal(0, bootUnit.Enables);
    }

    [Fact]
    public void A_current_and_enabled_unit_needs_no_step()
    {
        InstallCurrentUnit();
        Assert.DoesNotContain(WriteUnit, Run(Setup()));
        Assert.Equal(0, bootUnit.Writes);
        Assert.Equal(0, bootUnit.Enables);
    }

    [Fact]
    public void A_current_unit_that_is_not_enabled_is_only_enabled()
    {
        InstallCurrentUnit();
        bootUnit.Enabled = false;

        Assert.Contains(WriteUnit, Run(Setup()));

        Assert.Equal(0, bootUnit.Writes);
        Assert.Equal(1, bootUnit.Enables);
    }

    [Fact]
    public void A_stale_enabled_unit_is_only_rewritten()
    {
        InstallCurrentUnit();
        bootUnit.Unit = BootUnit.Render("/usr/local/bin/pwsh", "/old/place/VirtualNetworking.psd1");

        Assert.Contains(WriteUnit, Run(Setup()));

        Assert.Equal(1, bootUnit.Writes);
        Assert.Equal(0, bootUnit.Enables);
        Assert.Equal(BootUnit.Render("/usr/bin/pwsh", bootUnit.ModuleManifestPath), bootUnit.Unit);
    }

    [Fact]
    public void A_missing_unit_is_written_and_enabled()
    {
        Assert.Contains(WriteUnit, Run(Setup()));
        Assert.Equal(1, bootUnit.Writes);
        Assert.Equal(1, bootUnit.Enables);
    }

    [Fact]
    public void A_declined_boot_unit_step_writes_nothing()
    {
        Run(Setup(), decline: s => s.Action == WriteUnit);
        Assert.Equal(0, bootUnit.Writes);
        Assert.Equal(0, bootUnit.Enables);
    }

    [Fact]
    public void The_unit_runs_the_installed_pwsh_with_the_module_manifest()
    {
        var text = BootUnit.Render("/opt/my pwsh/pwsh", "/opt/it's/VirtualNetworking.psd1");
        Assert.Contains("ExecStart=\"/opt/my pwsh/pwsh\" -NoProfile -NonInteractive -Command \"Import-Module '/opt/it''s/VirtualNetworking.psd1'; Start-VNetwork -Autostart\"", text);
    }
}
