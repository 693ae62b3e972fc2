using NotebookNet.Cli;

return Cli.Run(args);
