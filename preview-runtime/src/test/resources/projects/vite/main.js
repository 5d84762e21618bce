document.querySelector('#message').textContent += ' (module loaded)';
