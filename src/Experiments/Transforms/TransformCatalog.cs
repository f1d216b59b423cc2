using System.Collections.Concurrent;
using System.Reflection;

namespace Steerability.Experiments.Transforms;

/// <summary>
/// Marks an edit class as a built-in edit: the catalog creates it with <see cref="Arguments"/> and lists it at
/// <see cref="Order"/>. An edit with several forms (shift x and shift y) carries the attribute once per form.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BuiltInEditAttribute(int order, params object[] arguments) : Attribute
{
    public int Order { get; } = order;
    public object[] Arguments { get; } = arguments;
}

/// <summary>
/// The one catalog of edits, by the names the command line, specs and results use: every class of this assembly
/// marked <see cref="BuiltInEditAttribute"/>, so a new built-in edit is one file and nothing else.
/// </summary>
public static class TransformCatalog
{
    private static readonly IReadOnlyList<(string Name, Func<ImageTransform> Create)> Entries = Discover();

    /// <summary>Every edit name, in the paper's order (then any edit added since).</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    /// <summary>Users' edits registered in this process (from --edit or a spec's edits), by name.</summary>
    private static readonly ConcurrentDictionary<string, ImageTransform> UserEditsByName = new(StringComparer.Ordinal);

    /// <summary>Creates the built-in edit called <paramref name="name"/>, or null when there is none.</summary>
    public static ImageTransform? TryBuiltIn(string name) => Entries.FirstOrDefault(e => e.Name == name).Create?.Invoke();

    /// <summary>Creates the transform called <paramref name="name"/> (built-in, or a user's edit registered here), or null.</summary>
    public static ImageTransform? TryCreate(string name) => TryBuiltIn(name) ?? UserEditsByName.GetValueOrDefault(name);

    /// <summary>Registers a user's edit (a script or a composition) under its name; a built-in name is refused.</summary>
    public static void RegisterUserEdit(ImageTransform edit)
    {
        if (Names.Contains(edit.Name))
        {
            throw new EditFileException($"{edit.Name}: is a built-in edit; choose another name");
        }
        UserEditsByName[edit.Name] = edit;
    }

    /// <summary>Creates the transform called <paramref name="name"/>; throws naming the accepted names otherwise.</summary>
    public static ImageTransform Create(string name) =>
        TryCreate(name) ?? throw new ArgumentException($"--transform: '{name}' is not a transform; accepted: {string.Join(", ", Names)}");

    private static IReadOnlyList<(string Name, Func<ImageTransform> Create)> Discover()
    {
        var found = new List<(int Order, string Name, Func<ImageTransform> Create)>();
        foreach (var type in typeof(ImageTransform).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(ImageTransform)) && !t.IsAbstract))
        {
            foreach (var mark in type.GetCustomAttributes<BuiltInEditAttribute>())
            {
                var arguments = mark.Arguments;
                ImageTransform Create() => (ImageTransform)Activator.CreateInstance(type, arguments)!;
                found.Add((mark.Order, Create().Name, Create));
            }
        }
        var repeated = found.GroupBy(f => f.Name).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            throw new InvalidOperationException($"two built-in edits are called '{repeated.Key}'; every edit needs a name of its own");
        }
        return found.OrderBy(f => f.Order).ThenBy(f => f.Name, StringComparer.Ordinal).Select(f => (f.Name, f.Create)).ToArray();
    }
}
