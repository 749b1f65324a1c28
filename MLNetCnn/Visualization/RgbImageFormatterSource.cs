namespace MLNetCnn.Visualization;

/// <summary>
/// Shows an <see cref="RgbImage"/> in a Polyglot notebook as an HTML <c>img</c> element holding the PNG, following
/// .NET Interactive's convention for formatter sources (see <see cref="TypeFormatterSourceAttribute"/>).
/// </summary>
internal sealed class RgbImageFormatterSource
{
    /// <summary>The MIME type of the formatter.</summary>
    public const string HtmlMimeType = "text/html";

    /// <summary>The formatters of the source, as .NET Interactive asks for them.</summary>
    public IEnumerable<object> CreateTypeFormatters() => [new HtmlFormatter()];

    /// <summary>Writes <c>&lt;img src="data:image/png;base64,..." width=".." height=".."&gt;</c>.</summary>
    internal sealed class HtmlFormatter
    {
        /// <summary>The MIME type this formatter writes.</summary>
        public string MimeType => HtmlMimeType;

        /// <summary>The type this formatter writes.</summary>
        public Type Type => typeof(RgbImage);

        /// <summary>Writes <paramref name="instance"/>, an <see cref="RgbImage"/>, as HTML; returns false for anything else.</summary>
        public bool Format(object instance, TextWriter writer)
        {
            if (instance is not RgbImage image)
                return false;
            writer.Write($"<img src=\"data:image/png;base64,{Convert.ToBase64String(image.ToPng())}\" width=\"{image.Width}\" height=\"{image.Height}\" style=\"image-rendering: pixelated\" />");
            return true;
        }
    }
}
