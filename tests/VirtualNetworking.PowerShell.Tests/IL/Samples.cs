namespace VirtualNetworking.PowerShell.Tests.IL.Samples;

// Tiny types whose IL the reader's own tests decode. Each string marks the method that loads it.

public interface IShape
{
    string Name();
}

public sealed class Circle : IShape
{
    public string Name() => "circle";
}

public sealed class Square : IShape
{
    public string Name() => "square";
}

/// <summary>Like the lifecycle cmdlets: one shared step calling an abstract member each subclass overrides.</summary>
public abstract class Job
{
    public string Run() => Act() + "ran";

    protected abstract string Act();
}

public sealed class StartJob : Job
{
    protected override string Act() => "start";
}

public sealed class StopJob : Job
{
    protected override string Act() => "stop";
}

public static class Lookup
{
    public static readonly IReadOnlyDictionary<int, string> Names = new Dictionary<int, string> { [1] = "initialized" };
}

public sealed class Box<T>(T value)
{
    public T Value => value;

    public string Describe<TOther>(TOther other) => Show(other) + "described";

    private static string Show<TAny>(TAny any) => any?.ToString() ?? "shown";
}

public sealed class SampleFailure : Exception;

public static class Calls
{
    public static string ThroughInterface(IShape shape) => shape.Name();

    public static string ThroughLambda(string name)
    {
        Func<string> greet = () => name + "lambda";
        return greet();
    }

    public static IEnumerable<string> ThroughIterator()
    {
        yield return "iterated";
    }

    public static string ThroughStaticField() => Lookup.Names[1];

    public static string ThroughGeneric(Box<int> box) => box.Describe("x");

    /// <summary>A switch (its operand is a table of branch offsets) before a string, so decoding must step over it.</summary>
    public static string AfterSwitch(int n)
    {
        var text = n switch { 0 => "zero", 1 => "one", 2 => "two", 3 => "three", _ => "many" };
        return text + "switched";
    }

    public static string Catching()
    {
        try { return new Circle().Name(); }
        catch (SampleFailure) { return "caught"; }
    }

    public static int OnlyFramework(string text) => text.Length + Math.Abs(text.GetHashCode());
}

public sealed class Holder
{
    private readonly List<Square> squares = [];

    public int Count => squares.Count;
}
