namespace MLNetCnn.Tests.Notebooks;

/// <summary>Something a cell showed.</summary>
/// <param name="Cell">The cell's number in the notebook.</param>
internal abstract record NotebookOutput(int Cell);

/// <summary>Text a cell displayed or wrote to the console.</summary>
internal sealed record TextOutput(int Cell, string Text) : NotebookOutput(Cell);

/// <summary>A sequence a cell displayed, which Polyglot shows as a table: one row per item, one column per public property.</summary>
internal sealed record TableOutput(int Cell, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows) : NotebookOutput(Cell);

/// <summary>A picture a cell displayed: the PNG its notebook formatter embedded, and the size the HTML states for it.</summary>
internal sealed record ImageOutput(int Cell, byte[] Png, int Width, int Height) : NotebookOutput(Cell);

/// <summary>HTML that a value's notebook formatter wrote and that holds no picture.</summary>
internal sealed record HtmlOutput(int Cell, string Html) : NotebookOutput(Cell);
