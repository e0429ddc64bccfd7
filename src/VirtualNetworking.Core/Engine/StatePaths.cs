namespace VirtualNetworking.Core.Engine;

/// <summary>
/// Where definitions, live state and leases live (libvirt's layout under our own names).
/// <c>VNET_ROOT</c> prefixes all three so tests and non-root users work in a sandbox.
/// </summary>
public sealed record StatePaths(string Root)
{
    public const string RootVariable = "VNET_ROOT";

    public string ConfigDirectory => Path.Combine(Root, "etc/virtualnetworking");
    public string NetworksDirectory => Path.Combine(ConfigDirectory, "networks");
    public string AutostartDirectory => Path.Combine(NetworksDirectory, "autostart");
    public string RunDirectory => Path.Combine(Root, "run/virtualnetworking");
    public string LeaseDirectory => Path.Combine(Root, "var/lib/virtualnetworking");

    public string DefinitionFile(string name) => Path.Combine(NetworksDirectory, name + ".xml");
    public string AutostartLink(string name) => Path.Combine(AutostartDirectory, name + ".xml");

    /// <summary>True when a sandbox root is in use (test-only hooks are allowed only then).</summary>
    public bool IsSandboxed => Root != "/";

    /// <summary>The paths for the given VNET_ROOT value (null or empty = the real machine); a relative one is taken from <paramref name="currentDirectory"/>.</summary>
    public static StatePaths FromRootVariable(string? value, string currentDirectory) =>
        new(string.IsNullOrEmpty(value) ? "/" : Path.GetFullPath(value, currentDirectory));
}
