using System.Net;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Linux.Host;

namespace VirtualNetworking.Linux.Tests.Host;

/// <summary>
/// When registration with systemd-resolved is not done: a state root without resolved's runtime folder (every sandbox),
/// and a process outside resolved's network namespace. Nothing here runs resolvectl.
/// </summary>
public sealed class ResolvedDnsRegistrationTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("vnet-resolved-");

    public void Dispose() => root.Delete(recursive: true);

    [Fact]
    public void A_root_without_resolveds_runtime_folder_is_not_registered_with_and_has_nothing_to_unregister()
    {
        var registration = new ResolvedDnsRegistration(new StatePaths(root.FullName));

        Assert.Equal("systemd-resolved does not run on this host", registration.Unavailable());
        registration.Unregister("vnetnosuch0"); // no resolvectl is run, so nothing can fail
    }

    [SkippableFact]
    public void Inside_the_test_namespace_the_bridge_is_not_resolveds_link_so_nothing_is_registered()
    {
        var own = new FileInfo("/proc/thread-self/ns/net").LinkTarget;
        string? machine;
        try { machine = new FileInfo("/proc/1/ns/net").LinkTarget; }
        catch (UnauthorizedAccessException) { machine = null; }
        Skip.If(machine is not null && own == machine, "This runs in the machine's own namespace: the namespace check has nothing to refuse here.");
        Directory.CreateDirectory(Path.Combine(root.FullName, "run/systemd/resolve"));
        var registration = new ResolvedDnsRegistration(new StatePaths(root.FullName));

        Assert.Contains("another network namespace", registration.Unavailable());
    }
}
