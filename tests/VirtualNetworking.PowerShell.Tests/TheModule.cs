using System.Collections.Concurrent;
using System.Management.Automation;
using System.Reflection;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;
using VirtualNetworking.Core.Xml;
using VirtualNetworking.PowerShell.Infrastructure;
using VirtualNetworking.PowerShell.Tests.IL;

namespace VirtualNetworking.PowerShell.Tests;

/// <summary>The module as the tests read it: its assemblies, its cmdlets, its ErrorIds catalogue and what each cmdlet can raise.</summary>
public static class TheModule
{
    public static readonly Assembly CoreAssembly = typeof(ErrorIds).Assembly;
    public static readonly Assembly PlatformAssembly = Assembly.Load("VirtualNetworking.Platform");
    public static readonly Assembly LinuxAssembly = Assembly.Load("VirtualNetworking.Linux");
    public static readonly Assembly CmdletAssembly = typeof(VNetworkCommandBase).Assembly;
    public static readonly CallGraph Calls = new([CoreAssembly, PlatformAssembly, LinuxAssembly, CmdletAssembly]);

    /// <summary>Every id of the catalogue, in the order ErrorIds.cs declares them.</summary>
    public static readonly IReadOnlyList<string> Catalogue = typeof(ErrorIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .OrderBy(f => f.MetadataToken)
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();

    /// <summary>The rules of a libvirt network document: the ids the document's reader, validator and net-update raise.</summary>
    public static readonly IReadOnlySet<string> DefinitionIds = IdsReachableFrom(
        typeof(NetworkXml).GetMethods().Where(m => m.Name == nameof(NetworkXml.Parse))
            .Concat(typeof(NetworkValidator).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Concat(typeof(NetworkUpdate).GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)));

    public static readonly IReadOnlyList<Type> Cmdlets = CmdletAssembly.GetTypes()
        .Where(t => t.IsPublic && !t.IsAbstract && t.GetCustomAttribute<CmdletAttribute>() is not null)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    public static string CmdletName(Type cmdlet) =>
        cmdlet.GetCustomAttribute<CmdletAttribute>() is { } a ? $"{a.VerbName}-{a.NounName}" : throw new ArgumentException($"{cmdlet} is no cmdlet.");

    public static Type Cmdlet(string name) => Cmdlets.Single(t => CmdletName(t) == name);

    private static readonly ConcurrentDictionary<Type, IReadOnlySet<string>> IdsOfCmdlets = new();

    /// <summary>The catalogue ids a cmdlet can raise or warn with: those loaded by a method its pipeline steps reach.</summary>
    public static IReadOnlySet<string> IdsReachableFrom(Type cmdlet) => IdsOfCmdlets.GetOrAdd(cmdlet, c => IdsReachableFrom(
        new[] { "BeginProcessing", "ProcessRecord", "EndProcessing" }
            .Select(step => c.GetMethod(step, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!)
            .Where(m => Calls.IsOwn(m.DeclaringType)),
        c));

    private static IReadOnlySet<string> IdsReachableFrom(IEnumerable<MethodBase> roots, Type? receiver = null) =>
        Calls.Reachable(roots, receiver).SelectMany(CallGraph.Strings).Where(Catalogue.Contains).ToHashSet();

    /// <summary>The repository's root: the folder holding VirtualNetworking.slnx, above the test's output folder.</summary>
    public static readonly string RepoRoot = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "VirtualNetworking.slnx"))) return folder.FullName;
        throw new DirectoryNotFoundException($"No VirtualNetworking.slnx above {AppContext.BaseDirectory}.");
    }
}
