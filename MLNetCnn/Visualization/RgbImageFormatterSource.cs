namespace MLNetCnn.Visualization;

/// <summary>
/// Shows an <see cref="RgbImage"/> in a Polyglot notebook as a PNG, following .NET Interactive's convention for formatter
/// sources (see <see cref="TypeFormatterSourceAttribute"/>). The PNG is displayed as <c>image/png</c>, which Jupyter and
/// GitHub keep and render as a picture; the HTML form is there for <c>display(image, "text/html")</c>.
/// </summary>
internal sealed class RgbImageFormatterSource
{
    /// <summary>The MIME type of the HTML formatter.</summary>
    public const string HtmlMimeType = "text/html";

    /// <summary>The MIME type of the PNG formatter, the one notebooks prefer.</summary>
    public const string PngMimeType = "image/png";

    /// <summary>The formatters of the source, as .NET Interactive asks for them.</summary>
    public IEnumerable<object> CreateTypeFormatters() => [new PngFormatter(), new HtmlFormatter()];

    /// <summary>Writes the PNG encoded as base64, as Jupyter's messages carry binary MIME types.</summary>
    internal sealed class PngFormatter
    {
        /// <summary>The MIME type this formatter writes.</summary>
        public string MimeType => PngMimeType;

        /// <summary>The type this formatter writes.</summary>
        public Type Type => typeof(RgbImage);

        /// <summary>Writes <paramref name="instance"/>, an <see cref="RgbImage"/>, as base64 PNG; returns false for anything
        /// else.</summary>
        public bool Format(object instance, TextWriter writer)
        {
            if (instance is not RgbImage image)
                return false;
            writer.Write(Convert.ToBase64String(image.ToPng()));
            return true;
        }
    }

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
