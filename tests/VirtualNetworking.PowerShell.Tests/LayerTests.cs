using System.Reflection;
using VirtualNetworking.PowerShell.Tests.IL;
using static VirtualNetworking.PowerShell.Tests.TheModule;

namespace VirtualNetworking.PowerShell.Tests;

/// <summary>The layers stay layers: read from the built assemblies, so a dependency cannot hide in a using or a var.</summary>
public class LayerTests
{
    private const string Engine = "VirtualNetworking.Core.Engine";
    private const string Live = "VirtualNetworking.Core.Live";
    private const string GuestPorts = "VirtualNetworking.Core.GuestPorts";
    private const string Host = "VirtualNetworking.Core.Host";
    private const string Ports = "VirtualNetworking.Core.Ports";
    private const string Desired = "VirtualNetworking.Core.Desired";

    /// <summary>The one type of the cmdlet layer that composes the Linux adapters.</summary>
    private static readonly Type ModuleContext = CmdletAssembly.GetType("VirtualNetworking.PowerShell.Infrastructure.ModuleContext", throwOnError: true)!;

    [Fact]
    public void Core_references_only_framework_assemblies()
    {
        var frameworkFolder = Path.GetDirectoryName(typeof(object).Assembly.Location);

        var others = CoreAssembly.GetReferencedAssemblies()
            .Where(name => Path.GetDirectoryName(Assembly.Load(name).Location) != frameworkFolder)
            .Select(name => name.FullName);

        Found.Nothing(others, "Core references assemblies outside the shared framework");
    }

    [Theory]
    [InlineData(Engine, new[] { Live, GuestPorts, Host, Desired })]
    [InlineData(Live, new[] { Desired })]
    [InlineData(Ports, new[] { Engine, Live, GuestPorts, Host, Desired })]
    public void A_Core_namespace_references_no_type_of_the_namespaces_above_it(string @namespace, string[] above)
    {
        var references = from type in CoreAssembly.GetTypes()
                         where type.Namespace == @namespace // nested types (closures, iterators) included
                         from used in TypeReferences.Of(type)
                         where above.Contains(used.Namespace)
                         select $"{type.FullName} -> {used.FullName}";

        Found.Nothing(references.Distinct(), $"{@namespace} references types of {string.Join(", ", above)}");
    }

    [Fact]
    public void Only_ModuleContext_names_a_type_of_the_Linux_or_Platform_assembly()
    {
        var references = from type in CmdletAssembly.GetTypes()
                         where Outermost(type) != ModuleContext
                         from used in TypeReferences.Of(type)
                         where used.Assembly == LinuxAssembly || used.Assembly == PlatformAssembly
                         select $"{type.FullName} -> {used.FullName}";

        Found.Nothing(references.Distinct(), "Types of the cmdlet layer other than ModuleContext name Linux or Platform types");
    }

    /// <summary>Adapters report through NetworkProblemException; catching their own exceptions would bypass that path.</summary>
    [Fact]
    public void No_type_of_the_cmdlet_layer_catches_an_exception_of_the_Linux_or_Platform_assembly()
    {
        var catches = from type in CmdletAssembly.GetTypes()
                      from caught in TypeReferences.CaughtBy(type)
                      where caught.Assembly == LinuxAssembly || caught.Assembly == PlatformAssembly
                      select $"{type.FullName} catches {caught.FullName}";

        Found.Nothing(catches.Distinct(), "The cmdlet layer catches exceptions of the Linux or Platform assembly");
    }

    private static Type Outermost(Type type) => type.DeclaringType is { } outer ? Outermost(outer) : type;
}
