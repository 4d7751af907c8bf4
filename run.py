"""Development entry point: ``python run.py`` serves on http://127.0.0.1:5000."""

from cube import create_app

app = create_app("development")

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5000)
