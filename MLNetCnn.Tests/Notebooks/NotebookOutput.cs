namespace MLNetCnn.Tests.Notebooks;

/// <summary>Something a cell showed.</summary>
/// <param name="Cell">The cell's number in the notebook.</param>
internal abstract record NotebookOutput(int Cell);

/// <summary>Text a cell wrote to the console or displayed as plain text.</summary>
internal sealed record TextOutput(int Cell, string Text) : NotebookOutput(Cell);

/// <summary>A picture a cell displayed as <c>image/png</c>.</summary>
internal sealed record ImageOutput(int Cell, byte[] Png) : NotebookOutput(Cell);

/// <summary>HTML a cell displayed (the kernel's tables, for example).</summary>
internal sealed record HtmlOutput(int Cell, string Html) : NotebookOutput(Cell);

/// <summary>An exception or compiler error a cell ended with.</summary>
internal sealed record ErrorOutput(int Cell, string Message) : NotebookOutput(Cell);
