using System.Collections;
using VirtualNetworking.Core.Desired;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Core.Tests.Desired;

/// <summary>Reading a document from the tree a .psd1 or JSON gives: what it declares, and every refusal with its key's path.</summary>
public sealed class ConfigurationDocumentTests
{
    /// <summary>A hashtable as PowerShell makes it: keys without regard to case.</summary>
    internal static Hashtable Map(params (string Key, object? Value)[] entries)
    {
        var map = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in entries) map[key] = value;
        return map;
    }

    internal static Hashtable Document(params Hashtable[] networks) => Map(("Networks", networks.Cast<object>().ToArray()));

    internal static IReadOnlyList<NetworkProblem> Refusal(object? document) =>
        Assert.Throws<NetworkProblemException>(() => ConfigurationDocument.Parse(document)).Problems;

    [Fact]
    public void Every_key_of_a_network_is_read_into_New_VNetworks_request_and_the_desired_state()
    {
        var parsed = ConfigurationDocument.Parse(Document(Map(
            ("name", "lab"), ("MODE", "routed"), ("Subnet", "10.10.0.0/24"), ("DhcpRange", new object[] { "10.10.0.10", "10.10.0.200" }),
            ("BridgeName", "labbr0"), ("ForwardDevice", "eth0"), ("Stp", false), ("Mtu", 9000), ("Domain", "lab.test"),
            ("MacAddress", "52:54:00:AA:BB:CC"), ("Autostart", true), ("State", "Active"), ("Ensure", "Present"),
            ("Reservations", new object[] { Map(("MacAddress", "52:54:00:00:10:01"), ("IPAddress", "10.10.0.5"), ("HostName", "db")) }),
            ("PortForwards", new object[] { Map(("protocol", "udp"), ("HostPort", "5000-5009"), ("HostAddress", "203.0.113.5"), ("GuestAddress", "10.10.0.5"),
                ("GuestPort", "6000-6009"), ("SourcePrefix", new object[] { "198.51.100.0/24" }), ("Description", "games")) }))));

        var lab = Assert.Single(parsed.Networks);
        Assert.Equal("Networks[0]", lab.Path);
        Assert.Equal(NetworkMode.Routed, lab.Request.Mode);
        Assert.Equal("10.10.0.0/24", lab.Request.Subnet.ToString());
        Assert.Equal("10.10.0.10", lab.Request.DhcpStart!.ToString());
        Assert.Equal("10.10.0.200", lab.Request.DhcpEnd!.ToString());
        Assert.Equal(("labbr0", "eth0", false, 9000, "lab.test"), (lab.Request.BridgeName, lab.Request.ForwardDevice, lab.Request.Stp, lab.Request.Mtu, lab.Request.Domain));
        Assert.Equal("52:54:00:aa:bb:cc", lab.Request.MacAddress); // canonical, so comparing is equality
        Assert.True(lab.Request.Autostart);
        Assert.Equal(NetworkState.Active, lab.State);
        Assert.Equal(Ensure.Present, lab.Ensure);
        Assert.Equal(new DesiredReservation("52:54:00:00:10:01", System.Net.IPAddress.Parse("10.10.0.5"), "db"), Assert.Single(lab.Reservations!));
        var forward = Assert.Single(lab.PortForwards!);
        Assert.Equal("udp 203.0.113.5:5000-5009 -> 10.10.0.5:6000-6009", forward.ToString());
        Assert.Equal(["198.51.100.0/24"], forward.SourcePrefixes);
        Assert.Equal("games", forward.Description);
        Assert.Equal(ConfigurationKeys.Network.Where(k => k != ConfigurationKeys.NoDhcp).Order(), lab.Given.Order());
    }

    [Fact]
    public void What_a_network_leaves_out_is_not_declared()
    {
        var lab = Assert.Single(ConfigurationDocument.Parse(Document(Map(("Name", "lab")))).Networks);
        Assert.Equal(new[] { "Name" }, lab.Given);
        Assert.Null(lab.State);
        Assert.Null(lab.Reservations);
        Assert.False(lab.Declares(ConfigurationKeys.Autostart));
    }

    [Fact]
    public void A_single_network_without_a_list_is_a_list_of_one()
    {
        var parsed = ConfigurationDocument.Parse(Map(("Networks", Map(("Name", "lab")))));
        Assert.Equal("lab", Assert.Single(parsed.Networks).Name);
    }

    [Fact]
    public void Every_problem_of_the_document_is_reported_at_once_each_with_its_keys_path()
    {
        var problems = Refusal(Document(
            Map(("Name", "a"), ("Subnet", "10.1.0.0/24"), ("Colour", "blue")),
            Map(("Name", "b"), ("Mtu", "big")),
            Map(("Name", "c"), ("Autostart", "yes"), ("Mode", "Bridge"))));

        Assert.Equal(
            new[]
            {
                (ErrorIds.ConfigurationKeyUnknown, "Networks[0].Colour"),
                (ErrorIds.ConfigurationValueInvalid, "Networks[1].Mtu"),
                (ErrorIds.ConfigurationValueInvalid, "Networks[2].Mode"),
                (ErrorIds.ConfigurationValueInvalid, "Networks[2].Autostart"),
            }.Order(),
            problems.Select(p => (p.ErrorId, (string)p.Target!)).Order());
        Assert.All(problems, p => Assert.StartsWith((string)p.Target!, p.Message));
        Assert.Contains("Use one of: Name, Ensure, State", problems.Single(p => p.ErrorId == ErrorIds.ConfigurationKeyUnknown).Message);
    }

    [Fact]
    public void Two_networks_with_one_name_are_refused_naming_both()
    {
        var problem = Assert.Single(Refusal(Document(Map(("Name", "lab")), Map(("Name", "iso")), Map(("Name", "lab")))));
        Assert.Equal(ErrorIds.ConfigurationNameDuplicate, problem.ErrorId);
        Assert.Contains("Networks[0] and Networks[2] both declare network 'lab'", problem.Message);
    }

    [Theory]
    [InlineData("Subnet", "10.1.0.1/24", ErrorIds.SubnetInvalid, "Networks[0].Subnet: Subnet '10.1.0.1/24' is not valid")]
    [InlineData("Subnet", "10.1.0.0/33", ErrorIds.SubnetInvalid, "Networks[0].Subnet: ")]
    [InlineData("MacAddress", "52:54:00:zz:00:01", ErrorIds.MacAddressInvalid, "Networks[0].MacAddress: ")]
    [InlineData("Mtu", 20, ErrorIds.MtuInvalid, "Networks[0].Mtu: MTU 20 is below")]
    [InlineData("State", "Running", ErrorIds.ConfigurationValueInvalid, "Networks[0].State is 'Running'; it must be one of Inactive, Active.")]
    [InlineData("Ensure", "Gone", ErrorIds.ConfigurationValueInvalid, "Networks[0].Ensure is 'Gone'; it must be one of Present, Absent.")]
    [InlineData("PortForwards", "x", ErrorIds.ConfigurationValueInvalid, "Networks[0].PortForwards is 'x'; it must be a list of hashtables with Protocol, HostPort and GuestAddress")]
    [InlineData("dnsrecords", "x", ErrorIds.ConfigurationNotSupported, "Networks[0].dnsrecords: DnsRecords are not supported")]
    [InlineData("Domain", null, ErrorIds.ConfigurationValueInvalid, "Networks[0].Domain is empty ($null)")]
    public void A_bad_value_is_refused_with_its_id_and_path(string key, object? value, string errorId, string message)
    {
        var problem = Assert.Single(Refusal(Document(Map(("Name", "lab"), (key, value)))));
        Assert.Equal(errorId, problem.ErrorId);
        Assert.StartsWith(message, problem.Message);
    }

    [Fact]
    public void A_DHCP_range_is_checked_against_the_declared_subnet()
    {
        var problems = Refusal(Document(Map(("Name", "lab"), ("Subnet", "10.1.0.0/24"), ("DhcpRange", new object[] { "10.2.0.10", "10.2.0.20" }))));
        var problem = Assert.Single(problems);
        Assert.Equal(ErrorIds.DhcpRangeInvalid, problem.ErrorId);
        Assert.StartsWith("Networks[0]: ", problem.Message);

        Assert.Equal(ErrorIds.DhcpRangeInvalid, Assert.Single(Refusal(Document(Map(("Name", "lab"), ("DhcpRange", new object[] { "10.2.0.10" }))))).ErrorId);
        Assert.Equal("Networks[0].DhcpRange", Assert.Single(Refusal(Document(Map(("Name", "lab"), ("DhcpRange", "10.2.0.10-10.2.0.20"))))).Target);
    }

    [Fact]
    public void New_VNetworks_own_rules_apply()
    {
        var conflict = Assert.Single(Refusal(Document(Map(("Name", "lab"), ("NoDhcp", true), ("DhcpRange", new object[] { "10.1.0.5", "10.1.0.9" })))));
        Assert.Equal(ErrorIds.DhcpConflict, conflict.ErrorId);
        var bridged = Assert.Single(Refusal(Document(Map(("Name", "lan"), ("Mode", "Bridged"), ("Subnet", "10.1.0.0/24")))));
        Assert.Equal(ErrorIds.BridgedOptionInvalid, bridged.ErrorId);
        var name = Assert.Single(Refusal(Document(Map(("Name", "a/b")))));
        Assert.Equal((ErrorIds.NameInvalid, "Networks[0]"), (name.ErrorId, name.Target));
    }

    [Fact]
    public void Reservations_are_checked_one_by_one_against_the_subnet_and_each_other()
    {
        Hashtable Reservation(string mac, string ip) => Map(("MacAddress", mac), ("IPAddress", ip));
        var problems = Refusal(Document(Map(("Name", "lab"), ("Subnet", "10.1.0.0/24"), ("Reservations", new object[]
        {
            Reservation("52:54:00:00:00:01", "10.1.0.5"),
            Reservation("52:54:00:00:00:02", "10.9.0.5"),
            Reservation("52:54:00:00:00:03", "not-an-ip"),
            Map(("MacAddress", "52:54:00:00:00:04")),
            Reservation("52:54:00:00:00:01", "10.1.0.6"),
        }))));

        Assert.Equal(
            new[]
            {
                (ErrorIds.IpAddressInvalid, "Networks[0].Reservations[2].IPAddress"),
                (ErrorIds.ConfigurationKeyMissing, "Networks[0].Reservations[3]"),
                (ErrorIds.ConfigurationValueInvalid, "Networks[0].Reservations"),
            }.Order(),
            problems.Select(p => (p.ErrorId, (string)p.Target!)).Order());
    }

    [Fact]
    public void Reservations_outside_the_subnet_are_refused_with_their_index()
    {
        var problem = Assert.Single(Refusal(Document(Map(("Name", "lab"), ("Subnet", "10.1.0.0/24"), ("Reservations", new object[]
        {
            Map(("MacAddress", "52:54:00:00:00:01"), ("IPAddress", "10.1.0.5")),
            Map(("MacAddress", "52:54:00:00:00:02"), ("IPAddress", "10.9.0.5")),
        })))));
        Assert.Equal((ErrorIds.ReservationOutsideSubnet, "Networks[0].Reservations[1]"), (problem.ErrorId, problem.Target));
    }

    [Fact]
    public void The_document_itself_must_be_a_hashtable_with_Networks()
    {
        Assert.Equal(ErrorIds.ConfigurationValueInvalid, Assert.Single(Refusal("lab")).ErrorId);
        Assert.Equal(ErrorIds.ConfigurationKeyMissing, Assert.Single(Refusal(Map())).ErrorId);
        Assert.Equal(ErrorIds.ConfigurationKeyMissing, Assert.Single(Refusal(Document(Map(("Mode", "Nat"))))).ErrorId);
        Assert.Equal((ErrorIds.ConfigurationKeyUnknown, "Network"), Assert.Single(Refusal(Map(("Networks", Array.Empty<object>()), ("Network", 1)))) is var p ? (p.ErrorId, p.Target) : default);
        Assert.Empty(ConfigurationDocument.Parse(Map(("Networks", Array.Empty<object>()))).Networks);
    }

    [Fact]
    public void A_key_given_twice_in_different_case_is_refused()
    {
        var map = new Hashtable(StringComparer.Ordinal) { ["Name"] = "lab", ["NAME"] = "lab2" };
        Assert.Equal(ErrorIds.ConfigurationValueInvalid, Assert.Single(Refusal(Document(map))).ErrorId);
    }

    [Fact]
    public void Json_reads_as_the_same_document()
    {
        var parsed = ConfigurationDocument.ParseJson("""
            { "Networks": [ { "Name": "lab", "Mtu": 9000, "Autostart": true, "DhcpRange": ["192.168.200.10", "192.168.200.20"], "Subnet": "192.168.200.0/24",
                              "Reservations": [ { "MacAddress": "52:54:00:00:10:01", "IPAddress": "192.168.200.5" } ] } ] }
            """, "host.json");
        var lab = Assert.Single(parsed.Networks);
        Assert.Equal(9000, lab.Request.Mtu);
        Assert.True(lab.Request.Autostart);
        Assert.Single(lab.Reservations!);
    }

    [Fact]
    public void Json_refusals_name_the_file_or_the_key()
    {
        var malformed = Assert.Single(Assert.Throws<NetworkProblemException>(() => ConfigurationDocument.ParseJson("{ \"Networks\": [ ", "host.json")).Problems);
        Assert.Equal(ErrorIds.ConfigurationFileInvalid, malformed.ErrorId);
        Assert.StartsWith("'host.json' is not valid JSON", malformed.Message);

        var twice = Assert.Single(Assert.Throws<NetworkProblemException>(() => ConfigurationDocument.ParseJson("""{ "Networks": [ { "Name": "a", "name": "b" } ] }""", "host.json")).Problems);
        Assert.Equal((ErrorIds.ConfigurationFileInvalid, "Networks[0].name"), (twice.ErrorId, twice.Target));

        var type = Assert.Single(Assert.Throws<NetworkProblemException>(() => ConfigurationDocument.ParseJson("""{ "Networks": [ { "Name": "a", "Mtu": 1500.5 } ] }""", "host.json")).Problems);
        Assert.Equal((ErrorIds.ConfigurationValueInvalid, "Networks[0].Mtu"), (type.ErrorId, type.Target));
    }

    [Fact]
    public void One_network_given_as_parameters_names_them_as_parameters()
    {
        var problem = Assert.Single(Assert.Throws<NetworkProblemException>(() =>
            ConfigurationDocument.ParseOne(Map(("Name", "lab"), ("Subnet", "10.1.0.1/24")), path: null)).Problems);
        Assert.StartsWith("-Subnet: ", problem.Message);
        Assert.Equal("lab", ConfigurationDocument.ParseOne(Map(("Name", "lab")), path: null).Path);
    }
}
