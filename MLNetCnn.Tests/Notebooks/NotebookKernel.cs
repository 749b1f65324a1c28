using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace MLNetCnn.Tests.Notebooks;

/// <summary>
/// What the C# kernel of a Polyglot notebook gives its cells beyond plain C#: <see cref="display"/>, captured here as
/// .NET Interactive would show it. A value whose type carries a <c>TypeFormatterSourceAttribute</c> is formatted by that
/// source, found by .NET Interactive's naming convention; a sequence becomes a table; anything else becomes text.
/// </summary>
public sealed partial class NotebookKernel
{
    private readonly List<NotebookOutput> _outputs = [];
    private readonly StringWriter _console = new(CultureInfo.InvariantCulture);

    internal IReadOnlyList<NotebookOutput> Outputs
    {
        get
        {
            FlushConsole();
            return _outputs;
        }
    }

    internal int CurrentCell { get; set; }

    /// <summary>Where the cells' console output goes; it appears among the outputs in the order it was written.</summary>
    internal TextWriter Console => _console;

    /// <summary>Shows <paramref name="value"/> below the cell, as <c>Microsoft.DotNet.Interactive.Kernel.display</c> does.</summary>
#pragma warning disable IDE1006 // The notebook API's name.
    public void display(object? value, params string[] mimeTypes)
#pragma warning restore IDE1006
    {
        ArgumentNullException.ThrowIfNull(mimeTypes);
        FlushConsole();
        _outputs.Add(Format(CurrentCell, value));
    }

    internal void FlushConsole()
    {
        if (_console.GetStringBuilder().Length == 0)
            return;
        _outputs.Add(new TextOutput(CurrentCell, _console.ToString()));
        _console.GetStringBuilder().Clear();
    }

    internal static NotebookOutput Format(int cell, object? value) => value switch
    {
        null => new TextOutput(cell, "<null>"),
        string text => new TextOutput(cell, text),
        _ when FormatWithFormatterSource(value) is { } html => FromHtml(cell, html),
        IEnumerable sequence => Table(cell, sequence),
        _ => new TextOutput(cell, Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    // .NET Interactive's convention: an attribute named TypeFormatterSourceAttribute whose FormatterSourceType has CreateTypeFormatters(),
    // returning formatters with MimeType and Format(object, TextWriter); the attribute's PreferredMimeTypes choose among them.
    private static string? FormatWithFormatterSource(object value)
    {
        var attribute = value.GetType().GetCustomAttributes(true).FirstOrDefault(a => a.GetType().Name == "TypeFormatterSourceAttribute");
        if (attribute is null)
            return null;
        var sourceType = (Type)Property(attribute, "FormatterSourceType")!;
        var preferred = (string[]?)Property(attribute, "PreferredMimeTypes") ?? ["text/html"];
        var source = Activator.CreateInstance(sourceType)!;
        var formatters = (IEnumerable)sourceType.GetMethod("CreateTypeFormatters")!.Invoke(source, null)!;
        var formatter = formatters.Cast<object>().FirstOrDefault(f => preferred.Contains((string)Property(f, "MimeType")!))
            ?? throw new InvalidOperationException($"The notebook formatters of {value.GetType()} offer none of {string.Join(", ", preferred)}.");
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        bool written = (bool)formatter.GetType().GetMethod("Format")!.Invoke(formatter, [value, writer])!;
        return written ? writer.ToString() : throw new InvalidOperationException($"The notebook formatter of {value.GetType()} declined to format it.");
    }

    private static object? Property(object target, string name) => target.GetType().GetProperty(name)?.GetValue(target);

    private static NotebookOutput FromHtml(int cell, string html)
    {
        if (PngImage().Match(html) is not { Success: true } image)
            return new HtmlOutput(cell, html);
        return new ImageOutput(cell, Convert.FromBase64String(image.Groups["data"].Value),
            int.Parse(image.Groups["width"].Value, CultureInfo.InvariantCulture), int.Parse(image.Groups["height"].Value, CultureInfo.InvariantCulture));
    }

    private static TableOutput Table(int cell, IEnumerable sequence)
    {
        var items = sequence.Cast<object?>().ToList();
        var itemType = items.FirstOrDefault(i => i is not null)?.GetType();
        var properties = itemType is null || itemType.IsPrimitive || itemType == typeof(string) || itemType == typeof(decimal)
            ? []
            : itemType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        if (properties.Length == 0)
            return new TableOutput(cell, ["value"], [.. items.Select(i => (IReadOnlyList<string>)[Text(i)])]);
        return new TableOutput(cell, [.. properties.Select(p => p.Name)], [.. items.Select(i => (IReadOnlyList<string>)[.. properties.Select(p => Text(p.GetValue(i)))])]);
    }

    private static string Text(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    [GeneratedRegex("<img src=\"data:image/png;base64,(?<data>[A-Za-z0-9+/=]+)\" width=\"(?<width>\\d+)\" height=\"(?<height>\\d+)\"")]
    private static partial Regex PngImage();
}
