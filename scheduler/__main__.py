"""`python -m scheduler` runs the publishing daemon, like `campaign daemon`."""

from campaign.cli import main

if __name__ == "__main__":
    main(["daemon", *__import__("sys").argv[1:]], prog_name="python -m scheduler")
